import './polyfill';
import { randomUUID } from 'node:crypto';
import type { EngineContext } from './context';
import { SfnApiError } from './errors';
import { launchExecution, standardExecutionArn } from './execution-run';
import type { IntegrationDeps } from './integrations';
import type { EngineUsage, ExecutionSummary, LocalExecution, LocalStateMachine } from './model';
import type { ExecutionStore, LoadedExecutions, StoredExecution } from './persistence';
import { ExecutionRegistry } from './registry';
import { loadStoredExecutions, type ResumeCounts, resumeStoredExecutions } from './resume';
import { buildStateMachine, type StateMachineInput } from './state-machine';
import { nextMacrotask } from './timers';
import { parseExecutionInput, stopReason, validName } from './validation';

interface StartInput {
  stateMachineArn: unknown;
  name?: unknown;
  input?: unknown;
}

const alreadyExists = (arn: string) =>
  new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);

const executionName = (input: StartInput) =>
  validName(input.name === undefined ? randomUUID() : String(input.name));

/**
 * The local Step Functions service behind the wire protocol: state machines, executions run on
 * aws-local-stepfunctions with the local service integrations, task tokens and histories.
 * Each operation checks its input and hands the work to the module that does it.
 */
export class StepFunctionsEngine {
  private readonly ctx: EngineContext;
  /** Running executions read from the state folder, waiting for `resumeExecutions`. */
  private toResume: StoredExecution[] = [];
  private suspended = false;

  constructor(options: {
    region: string;
    accountId: string;
    deps: IntegrationDeps;
    /** Where Standard executions are kept across restarts (none: in memory only). */
    store?: ExecutionStore;
  }) {
    const { region, accountId, deps, store } = options;
    this.ctx = { region, accountId, deps, log: deps.log, store, registry: new ExecutionRegistry() };
  }

  machines(): LocalStateMachine[] {
    return this.ctx.registry.machines();
  }

  machineOf(arn: unknown): LocalStateMachine {
    return this.ctx.registry.machineOf(arn);
  }

  executionOf(arn: unknown): LocalExecution {
    return this.ctx.registry.executionOf(arn);
  }

  /**
   * Creates (or, for a known ARN, replaces) a state machine. Throws `InvalidDefinition` for
   * an invalid definition, a Task resource the local runtime lacks, or a callback task in
   * an Express machine (which AWS rejects too).
   */
  createStateMachine(input: StateMachineInput): LocalStateMachine {
    const machine = buildStateMachine(this.ctx, input);
    this.ctx.registry.addMachine(machine);
    return machine;
  }

  /** StartExecution: Standard names are unique; the same name and input while running is idempotent. */
  startExecution(input: StartInput): LocalExecution {
    const machine = this.ctx.registry.machineOf(input.stateMachineArn);
    const name = executionName(input);
    const parsed = parseExecutionInput(input.input);
    if (this.suspended) {
      throw new SfnApiError('ServiceUnavailable', 'The local Step Functions is stopping');
    }
    if (machine.type === 'STANDARD') {
      const arn = standardExecutionArn(this.ctx, machine, name);
      const same = this.sameStandardExecution(arn, parsed.text);
      if (same) return same;
    }
    return launchExecution(this.ctx, machine, name, parsed);
  }

  /**
   * The running execution of that ARN if it has the same input; `ExecutionAlreadyExists` for
   * any other execution of that ARN, kept or waiting to be resumed.
   */
  private sameStandardExecution(arn: string, inputText: string): LocalExecution | undefined {
    if (this.toResume.some((record) => record.arn === arn)) throw alreadyExists(arn);
    const existing = this.ctx.registry.execution(arn);
    if (!existing) return undefined;
    if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
    throw alreadyExists(existing.arn);
  }

  /** StartSyncExecution: runs an Express execution to its end. */
  async startSyncExecution(input: StartInput): Promise<LocalExecution> {
    const machine = this.ctx.registry.machineOf(input.stateMachineArn);
    if (machine.type !== 'EXPRESS') {
      throw new SfnApiError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    const name = executionName(input);
    const exec = launchExecution(this.ctx, machine, name, parseExecutionInput(input.input));
    await exec.done;
    return exec;
  }

  /** StopExecution: aborts a running execution (a finished one is left as it is). */
  async stopExecution(input: { executionArn: unknown; error?: unknown; cause?: unknown }) {
    const exec = this.ctx.registry.executionOf(input.executionArn);
    const reason = stopReason(input);
    if (!exec.finished && !exec.stopRequest) {
      exec.stopRequest = reason;
      exec.abort();
    }
    await exec.done;
    return exec as LocalExecution;
  }

  listExecutions(machine: LocalStateMachine, statusFilter?: string): LocalExecution[] {
    return this.ctx.registry.list(machine, statusFilter);
  }

  /** Executions started and transitions since the engine started (not capped). */
  usage(): EngineUsage {
    return this.ctx.registry.usage();
  }

  executions(): ExecutionSummary[] {
    return this.ctx.registry.summaries();
  }

  /**
   * Reads the executions a previous run left in the state folder: the finished ones can be
   * described again, the tokens issued before answer `TaskTimedOut`, and the running ones wait
   * for `resumeExecutions` (their names stay taken meanwhile).
   */
  async loadExecutions(): Promise<LoadedExecutions> {
    const loaded = await loadStoredExecutions(this.ctx);
    if (this.ctx.store) this.toResume = loaded.running;
    return loaded;
  }

  /**
   * Goes on with each execution that was RUNNING when the local Step Functions stopped, from
   * the state it was in with that state's input (call it once the state machines exist and the
   * functions answer). One whose state machine or state is gone is failed with the reason.
   */
  async resumeExecutions(
    options: { later?: (owner: string) => boolean } = {},
  ): Promise<ResumeCounts> {
    const pending = this.toResume;
    this.toResume = [];
    // Its machine's owner is not running this time: left in the state folder as it is.
    const keep = (record: StoredExecution) => this.toResume.push(record);
    return resumeStoredExecutions(this.ctx, pending, { ...options, keep });
  }

  /**
   * Stops every execution: a persisted one stays RUNNING in the state folder, where it was,
   * for the next start to resume; the others are aborted. New executions are refused.
   */
  async stopAll() {
    this.suspended = true;
    // Let the histories catch up with the interpreter's last events.
    await nextMacrotask();
    const running = this.ctx.registry.unfinished();
    for (const exec of running) {
      if (exec.persisted) {
        exec.detached = true;
      } else {
        exec.stopRequest = { error: 'States.Aborted', cause: 'The local Step Functions stopped' };
      }
      exec.abort();
    }
    await this.ctx.store?.flush();
    await Promise.all(running.map((e) => e.done));
  }
}

export const createEngine = (options: ConstructorParameters<typeof StepFunctionsEngine>[0]) =>
  new StepFunctionsEngine(options);

export type Engine = StepFunctionsEngine;
