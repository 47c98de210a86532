import './polyfill';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import {
  isJsonObject,
  MAX_TIMER_SECONDS,
  parseDefinition,
  prepareDefinition,
  TASK_TOKEN_PLACEHOLDER,
  type TaskSpec,
  type WrappedTaskInput,
} from './definition';
import { SfnApiError, StatesRuntimeFailure, TaskFailure, timeoutError } from './errors';
import {
  type Integration,
  type IntegrationDeps,
  integrationFor,
  SUPPORTED_RESOURCES,
} from './integrations';
import type { ExecutionStore, LoadedExecutions, StoredExecution } from './persistence';
import { deferred } from './polyfill';

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One event of an execution's history, as GetExecutionHistory returns it. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  /** The event's `<type>EventDetails` member(s), e.g. `{stateEnteredEventDetails: {name, input}}`. */
  details: Record<string, Record<string, unknown>>;
}

export interface LocalStateMachine {
  name: string;
  arn: string;
  type: StateMachineType;
  definition: string;
  roleArn: string;
  creationDate: Date;
  interpreter: StateMachine;
  /** The definition the interpreter runs (see `prepareDefinition`), to resume from a state. */
  prepared: StateMachineDefinition;
  /** Who created it (locally: the service whose template has it), kept with its executions. */
  owner?: string;
  /** A stand-in for a machine that executions read back from the state folder name. */
  gone?: boolean;
  tasks: { spec: TaskSpec; integration: Integration }[];
}

export interface LocalExecution {
  arn: string;
  name: string;
  machine: LocalStateMachine;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** States entered plus retries: what AWS bills for a Standard workflow. */
  stateTransitions: number;
  /** The state entered last and not yet left. */
  currentState?: string;
  /** How many times a start of the local stack resumed it (persisted Standard executions). */
  resumes: number;
  /** Resolves once the execution ended and its history is complete. */
  done: Promise<void>;
}

/** A line per execution for a status page. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  type: StateMachineType;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  stateTransitions: number;
  currentState?: string;
  error?: string;
  cause?: string;
  /** Set when a start of the local stack resumed it after a restart. */
  resumes?: number;
}

/**
 * What this engine ran since it started, by state machine type, counted as it happens (not from
 * the kept executions, which are capped): executions started and state transitions.
 */
export type EngineUsage = Record<StateMachineType, { executions: number; transitions: number }>;

/** Where a running execution is, for resuming it after a restart. */
interface Position {
  /** The top-level state entered last (a Map or Parallel state as a whole). */
  state: string;
  input: unknown;
  enteredAt: Date;
  /** When that state's current task attempt started. */
  taskStartedAt?: Date;
}

interface RunningExecution extends LocalExecution {
  /** Set as soon as the run ended: tasks entered afterwards do nothing. */
  finished: boolean;
  stopRequest?: { error?: string; cause?: string };
  expressTimedOut: boolean;
  abort: () => void;
  /** Timers to clear when the run ends. */
  cleanups: Set<() => void>;
  /** Kept in the state folder (Standard executions when the engine has a store). */
  persisted: boolean;
  /** The local Step Functions stopped under it: it stays RUNNING in the state folder. */
  detached: boolean;
  position?: Position;
  /** A top-level Map or Parallel state being run (its nested states are not positions). */
  composite?: string;
  /** Every task token issued to it. */
  tokens: string[];
  /** Set while a resumed run has not yet re-entered the state it was interrupted in. */
  resuming?: { state: string; reentered: boolean; taskResumed: boolean; position?: Position };
}

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type InterpreterInput = Parameters<StateMachine['run']>[0];

/** What the interpreter's `eventLogs` yield (its type is not exported). */
interface InterpreterEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  index?: number;
  parentState?: { name: string };
}

interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/** Express executions last at most five minutes. */
const EXPRESS_MAX_MS = 5 * 60 * 1000;
/** Finished executions kept for Describe/List/History; the oldest are forgotten first. */
const KEPT_FINISHED_EXECUTIONS = 5000;
const MAX_INPUT_BYTES = 256 * 1024;
const FAIL_STATE_DEFAULTS = {
  error: 'FailStateError',
  cause: 'Execution failed because of a Fail state',
};

const STATE_MACHINE_ARN = /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws:states:[^:]+:\d{12}:(?:execution|express):[^:]+:[^:]+(?::[^:]+)?$/;
// AWS: 1-80 characters, no whitespace, brackets, wildcards, special or control characters.
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isControlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

const json = (value: unknown) => JSON.stringify(value ?? null);
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

const emptyToUndefined = (text: string | undefined) => (text === '' ? undefined : text);

const validName = (name: string) => {
  if (
    name.length < 1 ||
    name.length > 80 ||
    FORBIDDEN_NAME_CHARACTERS.test(name) ||
    [...name].some(isControlCharacter)
  ) {
    throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
  }
  return name;
};

const positiveInteger = (value: unknown, field: string, path: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesRuntimeFailure(
      `The ${field} parameter '${path}' does not reference a positive integer: ${json(value)}`,
    );
  }
  return value;
};

const mentionsPlaceholder = (value: unknown) => json(value).includes(TASK_TOKEN_PLACEHOLDER);

const withToken = (value: unknown, token: string): unknown =>
  JSON.parse(json(value).replaceAll(TASK_TOKEN_PLACEHOLDER, token));

/** The timers of one task attempt: TimeoutSeconds and, for callbacks, HeartbeatSeconds. */
const startDeadline = (timeoutSeconds?: number, heartbeatSeconds?: number) => {
  const expiry = deferred<never>();
  expiry.promise.catch(() => undefined);
  const arm = (seconds: number | undefined, name: 'States.Timeout' | 'States.HeartbeatTimeout') =>
    seconds !== undefined && seconds <= MAX_TIMER_SECONDS
      ? setTimeout(() => expiry.reject(timeoutError(name)), seconds * 1000)
      : undefined;
  const timeoutTimer = arm(timeoutSeconds, 'States.Timeout');
  let heartbeatTimer = arm(heartbeatSeconds, 'States.HeartbeatTimeout');
  return {
    expired: expiry.promise,
    beat() {
      clearTimeout(heartbeatTimer);
      heartbeatTimer = arm(heartbeatSeconds, 'States.HeartbeatTimeout');
    },
    clear() {
      clearTimeout(timeoutTimer);
      clearTimeout(heartbeatTimer);
    },
  };
};

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
const settledWithin = async (promise: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
};

/**
 * The local Step Functions service behind the wire protocol: state machines, executions run on
 * aws-local-stepfunctions with the local service integrations, task tokens and histories.
 */
export const createEngine = (options: {
  region: string;
  accountId: string;
  deps: IntegrationDeps;
  /** Where Standard executions are kept across restarts (none: in memory only). */
  store?: ExecutionStore;
}) => {
  const { region, accountId, deps, store } = options;
  const log = deps.log;
  const machines = new Map<string, LocalStateMachine>();
  const executions = new Map<string, RunningExecution>();
  const finishedOrder: string[] = [];
  const usage: EngineUsage = {
    STANDARD: { executions: 0, transitions: 0 },
    EXPRESS: { executions: 0, transitions: 0 },
  };
  const transition = (exec: RunningExecution) => {
    exec.stateTransitions += 1;
    usage[exec.machine.type].transitions += 1;
  };
  /** Running executions read from the state folder, waiting for `resumeExecutions`. */
  let toResume: StoredExecution[] = [];
  let suspended = false;

  const stored = (exec: RunningExecution): StoredExecution => ({
    arn: exec.arn,
    name: exec.name,
    stateMachineArn: exec.machine.arn,
    stateMachineName: exec.machine.name,
    input: exec.input,
    status: exec.status,
    startDate: exec.startDate.toISOString(),
    ...(exec.stopDate ? { stopDate: exec.stopDate.toISOString() } : {}),
    ...(exec.output === undefined ? {} : { output: exec.output }),
    ...(exec.error === undefined ? {} : { error: exec.error }),
    ...(exec.cause === undefined ? {} : { cause: exec.cause }),
    stateTransitions: exec.stateTransitions,
    history: exec.history.map((event) => ({ ...event, timestamp: event.timestamp.toISOString() })),
    ...(exec.position && exec.status === 'RUNNING'
      ? {
          at: {
            state: exec.position.state,
            input: exec.position.input,
            enteredAt: exec.position.enteredAt.toISOString(),
            ...(exec.position.taskStartedAt
              ? { taskStartedAt: exec.position.taskStartedAt.toISOString() }
              : {}),
          },
        }
      : {}),
    tokens: exec.tokens,
    resumes: exec.resumes,
    ...(exec.machine.owner ? { owner: exec.machine.owner } : {}),
  });

  /** Saves a running persisted execution (written once per turn of the event loop). */
  const save = (exec: RunningExecution) => {
    if (store && exec.persisted && !exec.detached && exec.status === 'RUNNING') {
      store.changed(exec.arn, () => stored(exec));
    }
  };

  const record = (
    exec: RunningExecution,
    type: string,
    details: HistoryEvent['details'] = {},
    timestamp = new Date(),
  ) => {
    // Detached by a stop: the state folder keeps it as it was, to be resumed.
    if (exec.detached) return;
    const id = exec.history.length + 1;
    exec.history.push({ id, previousEventId: id - 1, timestamp, type, details });
    save(exec);
  };

  /** Follows the top-level state an execution is in (nested Map and Parallel states are not). */
  const enter = (
    exec: RunningExecution,
    event: InterpreterEvent,
  ): 'new' | 'reentered' | 'nested' => {
    const state = event.state;
    if (!state || event.index !== undefined || exec.composite) return 'nested';
    if (!(state.name in exec.machine.prepared.States)) return 'nested';
    if (state.type === 'Map' || state.type === 'Parallel') exec.composite = state.name;
    const resuming = exec.resuming;
    if (resuming && !resuming.reentered && resuming.state === state.name) {
      resuming.reentered = true;
      // The state it was interrupted in: its entry (and entry time) are in the history already.
      if (resuming.position) {
        exec.position = resuming.position;
        return 'reentered';
      }
    }
    exec.position = {
      state: state.name,
      input: state.input ?? null,
      enteredAt: new Date(event.timestamp),
    };
    return 'new';
  };

  const machineOf = (arn: unknown): LocalStateMachine => {
    if (typeof arn !== 'string' || !STATE_MACHINE_ARN.test(arn)) {
      throw new SfnApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    }
    const machine = machines.get(arn);
    if (!machine)
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };

  const executionOf = (arn: unknown): RunningExecution => {
    if (typeof arn !== 'string' || !EXECUTION_ARN.test(arn)) {
      throw new SfnApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    }
    const exec = executions.get(arn);
    if (!exec) throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  };

  /** Mirrors the interpreter's state events into the history (Task events come from `runTask`). */
  const consumeEvents = async (exec: RunningExecution, events: AsyncGenerator<unknown>) => {
    for await (const raw of events) {
      // Detached by a stop: what it did from then on is not its history (it resumes from before).
      if (exec.detached) continue;
      const event = raw as InterpreterEvent;
      const at = new Date(event.timestamp);
      const state = event.state;
      switch (event.type) {
        case 'StateEntered':
          if (!state) break;
          exec.currentState = state.name;
          if (enter(exec, event) === 'reentered') {
            save(exec);
            break;
          }
          transition(exec);
          record(
            exec,
            `${state.type}StateEntered`,
            {
              stateEnteredEventDetails: {
                name: state.name,
                input: json(state.input),
                inputDetails: { truncated: false },
              },
            },
            at,
          );
          break;
        case 'StateExited':
          if (!state) break;
          if (exec.currentState === state.name) exec.currentState = undefined;
          if (exec.composite === state.name && event.index === undefined) {
            exec.composite = undefined;
          }
          record(
            exec,
            `${state.type}StateExited`,
            {
              stateExitedEventDetails: {
                name: state.name,
                output: json(state.output),
                outputDetails: { truncated: false },
              },
            },
            at,
          );
          break;
        case 'StateRetried':
          transition(exec);
          break;
        case 'StateFailed':
          if (state && (state.type === 'Map' || state.type === 'Parallel')) {
            record(exec, `${state.type}StateFailed`, {}, at);
          }
          break;
        case 'MapIterationStarted':
        case 'MapIterationSucceeded':
        case 'MapIterationFailed':
          record(
            exec,
            event.type,
            {
              [`${lowerFirst(event.type)}EventDetails`]: {
                name: event.parentState?.name,
                index: event.index,
              },
            },
            at,
          );
          break;
        default:
          // Execution events are recorded by `settle`; retries and catches have no AWS event.
          break;
      }
    }
  };

  /**
   * Runs one attempt of a Task state: the interpreter calls it with the state's wrapped
   * processed input (see `prepareDefinition`), and it applies the timeouts, mints the task
   * token, calls the service integration and records the task's history events.
   */
  const runTask = async (
    exec: RunningExecution,
    spec: TaskSpec,
    integration: Integration,
    wrapped: unknown,
  ): Promise<unknown> => {
    // The interpreter calls this synchronously after queueing StateEntered (or StateRetried);
    // its event stream is consumed asynchronously. Yielding once lets that catch up, so the
    // history has the task's events after the state's.
    await nextMacrotask();
    if (exec.finished) throw new StatesRuntimeFailure('The execution has stopped');
    const input = (isJsonObject(wrapped) ? wrapped : { payload: wrapped }) as WrappedTaskInput;
    const timeoutSeconds = spec.timeoutPath
      ? positiveInteger(input.timeoutSeconds, 'TimeoutSecondsPath', spec.timeoutPath)
      : spec.timeoutSeconds;
    const heartbeatSeconds = !integration.callback
      ? undefined
      : spec.heartbeatPath
        ? positiveInteger(input.heartbeatSeconds, 'HeartbeatSecondsPath', spec.heartbeatPath)
        : spec.heartbeatSeconds;
    if (!integration.callback && mentionsPlaceholder(input.payload)) {
      throw new StatesRuntimeFailure(
        `The JSONPath '$$.Task.Token' in the Parameters of state '${spec.stateName}' could not be found: only .waitForTaskToken tasks have a task token`,
      );
    }
    // The attempt a restart interrupted goes on: its timeout counts from when it started, and
    // a timeout that passed meanwhile fires at once, without calling the service again.
    const position = exec.position?.state === spec.stateName ? exec.position : undefined;
    const resuming = exec.resuming;
    let startedAt = new Date();
    if (resuming?.state === spec.stateName && !resuming.taskResumed) {
      resuming.taskResumed = true;
      startedAt = resuming.position?.taskStartedAt ?? resuming.position?.enteredAt ?? startedAt;
    }
    if (position) position.taskStartedAt = startedAt;
    const elapsedSeconds = (Date.now() - startedAt.getTime()) / 1000;
    const deadlineSeconds =
      timeoutSeconds === undefined ? undefined : Math.max(0, timeoutSeconds - elapsedSeconds);
    const expired = deadlineSeconds === 0;

    const token = integration.callback && !expired ? deps.tokens.issue(exec.arn) : undefined;
    if (token) exec.tokens.push(token.value);
    const payload = token ? withToken(input.payload, token.value) : input.payload;

    const { resourceType, resource } = integration;
    const lambda = integration.lambdaFunction;
    if (lambda) {
      record(exec, 'LambdaFunctionScheduled', {
        lambdaFunctionScheduledEventDetails: {
          resource,
          input: json(payload),
          inputDetails: { truncated: false },
          ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
        },
      });
      record(exec, 'LambdaFunctionStarted');
    } else {
      record(exec, 'TaskScheduled', {
        taskScheduledEventDetails: {
          resourceType,
          resource,
          region,
          parameters: json(payload),
          ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
          ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}),
        },
      });
      record(exec, 'TaskStarted', { taskStartedEventDetails: { resourceType, resource } });
    }

    const deadline = startDeadline(deadlineSeconds, heartbeatSeconds);
    exec.cleanups.add(deadline.clear);
    token?.onHeartbeat(deadline.beat);
    const work = (async () => {
      if (expired) return deadline.expired;
      const response = await integration.call(payload, {
        executionArn: exec.arn,
        stateMachineArn: exec.machine.arn,
      });
      if (!token) return response;
      if (!exec.finished) {
        record(exec, 'TaskSubmitted', {
          taskSubmittedEventDetails: {
            resourceType,
            resource,
            output: json(response),
            outputDetails: { truncated: false },
          },
        });
      }
      return token.outcome;
    })();
    work.catch(() => undefined);

    try {
      const result = await Promise.race([work, deadline.expired]);
      if (exec.finished) throw new StatesRuntimeFailure('The execution has stopped');
      record(
        exec,
        lambda ? 'LambdaFunctionSucceeded' : 'TaskSucceeded',
        lambda
          ? {
              lambdaFunctionSucceededEventDetails: {
                output: json(result),
                outputDetails: { truncated: false },
              },
            }
          : {
              taskSucceededEventDetails: {
                resourceType,
                resource,
                output: json(result),
                outputDetails: { truncated: false },
              },
            },
      );
      return result;
    } catch (raw) {
      const timedOut =
        raw instanceof Error &&
        (raw.name === 'States.Timeout' || raw.name === 'States.HeartbeatTimeout');
      let failure = raw as Error;
      if (!(raw instanceof TaskFailure || raw instanceof StatesRuntimeFailure || timedOut)) {
        log(`[sfn] ${exec.machine.name}/${spec.stateName}: ${String(raw)}`);
        failure = new TaskFailure(
          'States.TaskFailed',
          raw instanceof Error ? raw.message : String(raw),
        );
      }
      if (!exec.finished) {
        const type = `${lambda ? 'LambdaFunction' : 'Task'}${timedOut ? 'TimedOut' : 'Failed'}`;
        const cause = { error: failure.name, cause: failure.message };
        record(exec, type, {
          [`${lowerFirst(type)}EventDetails`]: lambda
            ? cause
            : { resourceType, resource, ...cause },
        });
      }
      throw failure;
    } finally {
      deadline.clear();
      exec.cleanups.delete(deadline.clear);
      if (token) deps.tokens.close(token.value);
    }
  };

  const outcomeOf = (exec: RunningExecution, error: unknown): Outcome => {
    if (error instanceof ExecutionAbortedError) {
      return exec.expressTimedOut
        ? {
            status: 'TIMED_OUT',
            error: 'States.Timeout',
            cause: 'An Express execution may run for at most five minutes',
          }
        : { status: 'ABORTED', error: exec.stopRequest?.error, cause: exec.stopRequest?.cause };
    }
    if (error instanceof ExecutionTimeoutError)
      return { status: 'TIMED_OUT', error: 'States.Timeout' };
    const cause = error instanceof ExecutionError ? error.cause : error;
    if (cause instanceof Error) {
      // A Fail state without Error or Cause fails the execution without them.
      return {
        status: 'FAILED',
        error: cause.name === FAIL_STATE_DEFAULTS.error ? undefined : emptyToUndefined(cause.name),
        cause:
          cause.message === FAIL_STATE_DEFAULTS.cause ? undefined : emptyToUndefined(cause.message),
      };
    }
    return { status: 'FAILED', error: 'States.Runtime', cause: String(error) };
  };

  const settle = async (
    exec: RunningExecution,
    result: Promise<unknown>,
    consumed: Promise<void>,
  ): Promise<void> => {
    let outcome: Outcome;
    try {
      outcome = { status: 'SUCCEEDED', output: json(await result) };
    } catch (error) {
      outcome = outcomeOf(exec, error);
    }
    // Stop what is still pending: timers, and tasks waiting for a token (their tokens close).
    exec.finished = true;
    for (const cleanup of exec.cleanups) cleanup();
    exec.cleanups.clear();
    deps.tokens.closeAllOf(exec.arn, new StatesRuntimeFailure('The execution has stopped'));
    // The interpreter closes its event stream when the run ends; wait for the last events.
    await settledWithin(consumed, 2000);
    // Stopped with the local Step Functions: still RUNNING in the state folder.
    if (exec.detached) return;
    end(exec, outcome);
  };

  /** Records an execution's end, keeps it among the finished ones and in the state folder. */
  const end = (exec: RunningExecution, outcome: Outcome) => {
    const details = { error: outcome.error, cause: outcome.cause };
    switch (outcome.status) {
      case 'SUCCEEDED':
        record(exec, 'ExecutionSucceeded', {
          executionSucceededEventDetails: {
            output: outcome.output,
            outputDetails: { truncated: false },
          },
        });
        break;
      case 'FAILED':
        record(exec, 'ExecutionFailed', { executionFailedEventDetails: details });
        break;
      case 'TIMED_OUT':
        record(exec, 'ExecutionTimedOut', { executionTimedOutEventDetails: details });
        break;
      case 'ABORTED':
        record(exec, 'ExecutionAborted', { executionAbortedEventDetails: details });
        break;
    }
    exec.currentState = undefined;
    exec.stopDate = new Date();
    exec.output = outcome.output;
    exec.error = outcome.error;
    exec.cause = outcome.cause;
    exec.status = outcome.status;
    const took = exec.stopDate.getTime() - exec.startDate.getTime();
    log(
      `[sfn] ${exec.machine.name} ${exec.name} ${exec.status}${exec.error ? ` (${exec.error})` : ''} in ${took} ms, ${exec.stateTransitions} transitions`,
    );
    if (store && exec.persisted) store.finished(stored(exec));
    remember(exec);
  };

  /** Keeps a finished execution for Describe/List/History; forgets the oldest. */
  const remember = (exec: RunningExecution) => {
    finishedOrder.push(exec.arn);
    while (finishedOrder.length > KEPT_FINISHED_EXECUTIONS) {
      const oldest = finishedOrder.shift();
      if (oldest) executions.delete(oldest);
    }
  };

  const newExecution = (
    machine: LocalStateMachine,
    arn: string,
    name: string,
    inputText: string,
  ): RunningExecution => {
    usage[machine.type].executions += 1;
    return {
      arn,
      name,
      machine,
      input: inputText,
      status: 'RUNNING',
      startDate: new Date(),
      history: [],
      stateTransitions: 0,
      resumes: 0,
      done: Promise.resolve(),
      finished: false,
      expressTimedOut: false,
      abort: () => undefined,
      cleanups: new Set(),
      persisted: Boolean(store) && machine.type === 'STANDARD',
      detached: false,
      tokens: [],
    };
  };

  /** Runs `interpreter` (the machine's, or one starting where a restart interrupted it). */
  const run = (exec: RunningExecution, interpreter: StateMachine, input: unknown) => {
    const { machine } = exec;
    const handlers: TaskHandlers = Object.fromEntries(
      machine.tasks.map(({ spec, integration }) => [
        spec.stateName,
        (wrapped: unknown) => runTask(exec, spec, integration, wrapped) as never,
      ]),
    );
    const running = interpreter.run(input as InterpreterInput, {
      context: {
        Execution: { Id: exec.arn, Name: exec.name, RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
      overrides: { taskResourceLocalHandlers: handlers },
    });
    exec.abort = running.abort;
    if (machine.type === 'EXPRESS') {
      const timer = setTimeout(() => {
        exec.expressTimedOut = true;
        running.abort();
      }, EXPRESS_MAX_MS);
      exec.cleanups.add(() => clearTimeout(timer));
    }
    const consumed = consumeEvents(exec, running.eventLogs);
    exec.done = settle(exec, running.result, consumed);
  };

  const launch = (machine: LocalStateMachine, name: string, inputText: string, input: unknown) => {
    const arn =
      machine.type === 'STANDARD'
        ? `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`
        : `arn:aws:states:${region}:${accountId}:express:${machine.name}:${name}:${randomUUID()}`;
    const exec = newExecution(machine, arn, name, inputText);
    executions.set(arn, exec);
    record(exec, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: { truncated: false },
        roleArn: machine.roleArn,
      },
    });
    run(exec, machine.interpreter, input);
    return exec;
  };

  /** An execution as the state folder kept it, attached to `machine`. */
  const restored = (record: StoredExecution, machine: LocalStateMachine): RunningExecution => {
    const exec = newExecution(machine, record.arn, record.name, record.input);
    Object.assign(exec, {
      status: record.status,
      startDate: new Date(record.startDate),
      stopDate: record.stopDate ? new Date(record.stopDate) : undefined,
      output: record.output,
      error: record.error,
      cause: record.cause,
      stateTransitions: record.stateTransitions,
      history: record.history.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
      tokens: [...record.tokens],
      resumes: record.resumes ?? 0,
      finished: record.status !== 'RUNNING',
      persisted: true,
    });
    return exec;
  };

  /** Stands in for a state machine that is gone, so that its executions can be described. */
  const goneMachine = (record: StoredExecution): LocalStateMachine => {
    const prepared = {
      StartAt: 'Gone',
      States: { Gone: { Type: 'Fail', Error: 'States.Runtime' } },
    } as unknown as StateMachineDefinition;
    return {
      name: record.stateMachineName,
      arn: record.stateMachineArn,
      ...(record.owner ? { owner: record.owner } : {}),
      gone: true,
      type: 'STANDARD',
      definition: JSON.stringify(prepared),
      roleArn: `arn:aws:iam::${accountId}:role/local-stepfunctions`,
      creationDate: new Date(record.startDate),
      interpreter: new StateMachine(prepared, { validationOptions: { noValidate: true } }),
      prepared,
      tasks: [],
    };
  };

  /**
   * The machine's definition starting at the state a restart interrupted: a `Wait` state there
   * waits until its original end, and the execution's `TimeoutSeconds` counts from its start.
   */
  const resumedDefinition = async (
    exec: RunningExecution,
    position: Position,
  ): Promise<StateMachineDefinition> => {
    const definition = exec.machine.prepared as unknown as Record<string, unknown>;
    const states = { ...(definition.States as Record<string, Record<string, unknown>>) };
    const state = states[position.state];
    if (state?.Type === 'Wait' && (state.Seconds !== undefined || state.SecondsPath)) {
      let seconds = state.Seconds;
      if (typeof state.SecondsPath === 'string') {
        // The interpreter itself resolves the path, as it would have on entering the state.
        const probe = new StateMachine(
          {
            StartAt: 'Read',
            States: {
              Read: { Type: 'Pass', Parameters: { 'seconds.$': state.SecondsPath }, End: true },
            },
          } as unknown as StateMachineDefinition,
          { validationOptions: { noValidate: true } },
        );
        seconds = await probe
          .run(position.input as InterpreterInput)
          .result.then((output) => (output as { seconds?: unknown }).seconds)
          .catch(() => undefined);
      }
      if (typeof seconds === 'number') {
        const { Seconds: _seconds, SecondsPath: _path, ...rest } = state;
        states[position.state] = {
          ...rest,
          Timestamp: new Date(position.enteredAt.getTime() + seconds * 1000).toISOString(),
        };
      }
    }
    const resumed: Record<string, unknown> = {
      ...definition,
      StartAt: position.state,
      States: states,
    };
    if (typeof definition.TimeoutSeconds === 'number') {
      const elapsed = (Date.now() - exec.startDate.getTime()) / 1000;
      resumed.TimeoutSeconds = Math.max(0.001, definition.TimeoutSeconds - elapsed);
    }
    return resumed as unknown as StateMachineDefinition;
  };

  /** Fails a stored execution that cannot go on, with the reason in its history. */
  const failRestored = (exec: RunningExecution, cause: string) => {
    exec.finished = true;
    executions.set(exec.arn, exec);
    end(exec, { status: 'FAILED', error: 'States.Runtime', cause });
  };

  /** Goes on with a stored running execution from the state it was in. */
  const resume = async (record: StoredExecution): Promise<'resumed' | 'failed'> => {
    const machine = machines.get(record.stateMachineArn);
    if (machine?.type !== 'STANDARD') {
      failRestored(
        restored(record, goneMachine(record)),
        `The state machine ${record.stateMachineName} no longer exists: the execution could not be resumed after the local Step Functions restarted`,
      );
      return 'failed';
    }
    const exec = restored(record, machine);
    const startAt = record.at?.state ?? (machine.prepared.StartAt as string);
    if (!(startAt in machine.prepared.States)) {
      failRestored(
        exec,
        `The state ${startAt} no longer exists in the state machine ${machine.name}: the execution could not be resumed after the local Step Functions restarted`,
      );
      return 'failed';
    }
    const position: Position | undefined = record.at
      ? {
          state: record.at.state,
          input: record.at.input,
          enteredAt: new Date(record.at.enteredAt),
          ...(record.at.taskStartedAt ? { taskStartedAt: new Date(record.at.taskStartedAt) } : {}),
        }
      : undefined;
    const input = position ? position.input : JSON.parse(record.input);
    exec.position = position;
    exec.resuming = { state: startAt, reentered: false, taskResumed: false, position };
    exec.resumes += 1;
    executions.set(exec.arn, exec);
    const definition = await resumedDefinition(
      exec,
      position ?? { state: startAt, input, enteredAt: exec.startDate },
    );
    const interpreter = new StateMachine(definition, { validationOptions: { noValidate: true } });
    log(`[sfn] ${machine.name} ${exec.name} resumed at ${startAt}`);
    save(exec);
    run(exec, interpreter, input);
    return 'resumed';
  };

  const parseInput = (input: unknown): { text: string; value: unknown } => {
    const text = input === undefined || input === null ? '{}' : input;
    if (typeof text !== 'string') {
      throw new SfnApiError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not a string',
      );
    }
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) {
      throw new SfnApiError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: the input is larger than 256 KiB',
      );
    }
    try {
      return { text, value: JSON.parse(text) };
    } catch (error) {
      throw new SfnApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
  };

  return {
    machines: () => [...machines.values()],
    machineOf,
    executionOf: (arn: unknown): LocalExecution => executionOf(arn),

    /**
     * Creates (or, for a known ARN, replaces) a state machine. Throws `InvalidDefinition` for
     * an invalid definition, a Task resource the local runtime lacks, or a callback task in
     * an Express machine (which AWS rejects too).
     */
    createStateMachine(input: {
      name: string;
      arn?: string;
      type?: StateMachineType;
      definition: string;
      roleArn?: string;
      owner?: string;
    }): LocalStateMachine {
      const name = validName(input.name);
      const arn = input.arn ?? `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
      if (!STATE_MACHINE_ARN.test(arn))
        throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
      const type = input.type ?? 'STANDARD';
      if (type !== 'STANDARD' && type !== 'EXPRESS') {
        throw new SfnApiError('ValidationException', `Invalid state machine type: ${type}`);
      }
      const prepared = prepareDefinition(parseDefinition(input.definition));
      const tasks = prepared.tasks.map((spec) => {
        const integration = integrationFor(spec.resource, deps);
        if (!integration) {
          throw new SfnApiError(
            'InvalidDefinition',
            `Invalid State Machine Definition: 'the resource ${spec.resource} of state ${spec.stateName} is not supported by the local Step Functions; supported: ${SUPPORTED_RESOURCES.join(', ')}'`,
          );
        }
        if (type === 'EXPRESS' && integration.callback) {
          throw new SfnApiError(
            'InvalidDefinition',
            `Invalid State Machine Definition: 'Express state machine does not support '.waitForTaskToken' service integration (state ${spec.stateName})'`,
          );
        }
        return { spec, integration };
      });
      const machine: LocalStateMachine = {
        name,
        arn,
        type,
        definition: input.definition,
        roleArn: input.roleArn ?? `arn:aws:iam::${accountId}:role/local-stepfunctions`,
        creationDate: machines.get(arn)?.creationDate ?? new Date(),
        interpreter: new StateMachine(prepared.definition, {
          validationOptions: { noValidate: true },
        }),
        prepared: prepared.definition,
        ...(input.owner ? { owner: input.owner } : {}),
        tasks,
      };
      machines.set(arn, machine);
      // Executions read back before it was created belong to it.
      for (const exec of executions.values()) {
        if (exec.machine.gone && exec.machine.arn === arn) exec.machine = machine;
      }
      return machine;
    },

    /** StartExecution: Standard names are unique; the same name and input while running is idempotent. */
    startExecution(input: {
      stateMachineArn: unknown;
      name?: unknown;
      input?: unknown;
    }): LocalExecution {
      const machine = machineOf(input.stateMachineArn);
      const name = validName(input.name === undefined ? randomUUID() : String(input.name));
      const { text, value } = parseInput(input.input);
      if (suspended) {
        throw new SfnApiError('ServiceUnavailable', 'The local Step Functions is stopping');
      }
      if (machine.type === 'STANDARD') {
        const arn = `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`;
        if (toResume.some((record) => record.arn === arn)) {
          throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
        }
        const existing = executions.get(arn);
        if (existing) {
          if (existing.status === 'RUNNING' && existing.input === text) return existing;
          throw new SfnApiError(
            'ExecutionAlreadyExists',
            `Execution Already Exists: '${existing.arn}'`,
          );
        }
      }
      return launch(machine, name, text, value);
    },

    /** StartSyncExecution: runs an Express execution to its end. */
    async startSyncExecution(input: {
      stateMachineArn: unknown;
      name?: unknown;
      input?: unknown;
    }): Promise<LocalExecution> {
      const machine = machineOf(input.stateMachineArn);
      if (machine.type !== 'EXPRESS') {
        throw new SfnApiError(
          'StateMachineTypeNotSupported',
          'This operation is not supported by this type of state machine',
        );
      }
      const name = validName(input.name === undefined ? randomUUID() : String(input.name));
      const { text, value } = parseInput(input.input);
      const exec = launch(machine, name, text, value);
      await exec.done;
      return exec;
    },

    /** StopExecution: aborts a running execution (a finished one is left as it is). */
    async stopExecution(input: { executionArn: unknown; error?: unknown; cause?: unknown }) {
      const exec = executionOf(input.executionArn);
      const error = input.error === undefined ? undefined : String(input.error);
      const cause = input.cause === undefined ? undefined : String(input.cause);
      if ((error?.length ?? 0) > 256 || (cause?.length ?? 0) > 32768) {
        throw new SfnApiError('ValidationException', 'The error or cause is too long');
      }
      if (!exec.finished && !exec.stopRequest) {
        exec.stopRequest = { error, cause };
        exec.abort();
      }
      await exec.done;
      return exec;
    },

    listExecutions(machine: LocalStateMachine, statusFilter?: string): LocalExecution[] {
      return [...executions.values()]
        .filter(
          (e) => e.machine.arn === machine.arn && (!statusFilter || e.status === statusFilter),
        )
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
    },

    /** Executions started and transitions since the engine started (not capped). */
    usage(): EngineUsage {
      return structuredClone(usage);
    },

    executions(): ExecutionSummary[] {
      return [...executions.values()].map((e) => ({
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
      }));
    },

    /**
     * Reads the executions a previous run left in the state folder: the finished ones can be
     * described again, the tokens issued before answer `TaskTimedOut`, and the running ones wait
     * for `resumeExecutions` (their names stay taken meanwhile).
     */
    async loadExecutions(): Promise<LoadedExecutions> {
      if (!store) return { running: [], finished: [] };
      const loaded = await store.load();
      for (const record of [...loaded.finished, ...loaded.running])
        deps.tokens.retire(record.tokens);
      for (const record of loaded.finished) {
        if (executions.has(record.arn)) continue;
        const exec = restored(record, machines.get(record.stateMachineArn) ?? goneMachine(record));
        executions.set(exec.arn, exec);
        remember(exec);
      }
      toResume = loaded.running;
      return loaded;
    },

    /**
     * Goes on with each execution that was RUNNING when the local Step Functions stopped, from
     * the state it was in with that state's input (call it once the state machines exist and the
     * functions answer). One whose state machine or state is gone is failed with the reason.
     */
    async resumeExecutions(
      options: { later?: (owner: string) => boolean } = {},
    ): Promise<{ resumed: number; failed: number; later: number }> {
      const pending = toResume;
      toResume = [];
      const counts = { resumed: 0, failed: 0, later: 0 };
      for (const record of pending) {
        // A finished one restored from the other file is kept as it ended.
        const known = executions.get(record.arn);
        if (known && known.status !== 'RUNNING') continue;
        if (
          !machines.has(record.stateMachineArn) &&
          record.owner !== undefined &&
          options.later?.(record.owner)
        ) {
          // Its machine's owner is not running this time: left in the state folder as it is.
          toResume.push(record);
          counts.later += 1;
          continue;
        }
        counts[await resume(record)] += 1;
      }
      return counts;
    },

    /**
     * Stops every execution: a persisted one stays RUNNING in the state folder, where it was,
     * for the next start to resume; the others are aborted. New executions are refused.
     */
    async stopAll() {
      suspended = true;
      // Let the histories catch up with the interpreter's last events.
      await nextMacrotask();
      const running = [...executions.values()].filter((e) => !e.finished);
      for (const exec of running) {
        if (exec.persisted) {
          exec.detached = true;
        } else {
          exec.stopRequest = { error: 'States.Aborted', cause: 'The local Step Functions stopped' };
        }
        exec.abort();
      }
      await store?.flush();
      await Promise.all(running.map((e) => e.done));
    },
  };
};

export type Engine = ReturnType<typeof createEngine>;
