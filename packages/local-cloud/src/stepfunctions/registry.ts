import { SfnApiError } from './errors';
import type { RunningExecution } from './execution';
import type { EngineUsage, ExecutionSummary, LocalStateMachine, StateMachineType } from './model';
import { EXECUTION_ARN, STATE_MACHINE_ARN, validArn } from './validation';

/** Finished executions kept for Describe/List/History; the oldest are forgotten first. */
const KEPT_FINISHED_EXECUTIONS = 5000;

const summaryOf = (e: RunningExecution): ExecutionSummary => ({
  executionArn: e.arn,
  stateMachineArn: e.machine.arn,
  stateMachineName: e.machine.name,
  type: e.machine.type,
  name: e.name,
  status: e.status,
  startDate: e.startDate.toISOString(),
  ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
  stateTransitions: e.stateTransitions,
  ...(e.currentState ? { currentState: e.currentState } : {}),
  ...(e.error ? { error: e.error } : {}),
  ...(e.cause ? { cause: e.cause } : {}),
  ...(e.resumes ? { resumes: e.resumes } : {}),
});

/**
 * The state machines and executions the engine knows, in memory: every running execution and
 * the newest finished ones, plus the usage counters (executions and transitions by type).
 */
export class ExecutionRegistry {
  private readonly machinesByArn = new Map<string, LocalStateMachine>();
  private readonly executionsByArn = new Map<string, RunningExecution>();
  private readonly finishedOrder: string[] = [];
  private readonly counts: EngineUsage = {
    STANDARD: { executions: 0, transitions: 0 },
    EXPRESS: { executions: 0, transitions: 0 },
  };

  machines(): LocalStateMachine[] {
    return [...this.machinesByArn.values()];
  }

  machine(arn: string): LocalStateMachine | undefined {
    return this.machinesByArn.get(arn);
  }

  /** The machine of a (validated) ARN; `StateMachineDoesNotExist` when unknown. */
  machineOf(arn: unknown): LocalStateMachine {
    const machine = this.machinesByArn.get(validArn(arn, STATE_MACHINE_ARN));
    if (!machine)
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  /** Adds or replaces a machine; executions read back before it existed now belong to it. */
  addMachine(machine: LocalStateMachine) {
    this.machinesByArn.set(machine.arn, machine);
    for (const exec of this.executionsByArn.values()) {
      if (exec.machine.gone && exec.machine.arn === machine.arn) exec.machine = machine;
    }
  }

  execution(arn: string): RunningExecution | undefined {
    return this.executionsByArn.get(arn);
  }

  /** The execution of a (validated) ARN; `ExecutionDoesNotExist` when unknown or forgotten. */
  executionOf(arn: unknown): RunningExecution {
    const exec = this.executionsByArn.get(validArn(arn, EXECUTION_ARN));
    if (!exec) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  addExecution(exec: RunningExecution) {
    this.executionsByArn.set(exec.arn, exec);
  }

  /** Keeps a finished execution for Describe/List/History; forgets the oldest. */
  remember(exec: RunningExecution) {
    this.finishedOrder.push(exec.arn);
    while (this.finishedOrder.length > KEPT_FINISHED_EXECUTIONS) {
      const oldest = this.finishedOrder.shift();
      if (oldest) this.executionsByArn.delete(oldest);
    }
  }

  /** The executions whose run has not ended. */
  unfinished(): RunningExecution[] {
    return [...this.executionsByArn.values()].filter((e) => !e.finished);
  }

  /** A machine's executions, the newest first, optionally of one status. */
  list(machine: LocalStateMachine, statusFilter?: string): RunningExecution[] {
    return [...this.executionsByArn.values()]
      .filter((e) => e.machine.arn === machine.arn && (!statusFilter || e.status === statusFilter))
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  }

  summaries(): ExecutionSummary[] {
    return [...this.executionsByArn.values()].map(summaryOf);
  }

  countExecution(type: StateMachineType) {
    this.counts[type].executions += 1;
  }

  countTransition(exec: RunningExecution) {
    exec.stateTransitions += 1;
    this.counts[exec.machine.type].transitions += 1;
  }

  usage(): EngineUsage {
    return structuredClone(this.counts);
  }
}
