import './polyfill';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
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
}

interface RunningExecution extends LocalExecution {
  /** Set as soon as the run ended: tasks entered afterwards do nothing. */
  finished: boolean;
  stopRequest?: { error?: string; cause?: string };
  expressTimedOut: boolean;
  abort: () => void;
  /** Timers to clear when the run ends. */
  cleanups: Set<() => void>;
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
}) => {
  const { region, accountId, deps } = options;
  const log = deps.log;
  const machines = new Map<string, LocalStateMachine>();
  const executions = new Map<string, RunningExecution>();
  const finishedOrder: string[] = [];

  const record = (
    exec: RunningExecution,
    type: string,
    details: HistoryEvent['details'] = {},
    timestamp = new Date(),
  ) => {
    const id = exec.history.length + 1;
    exec.history.push({ id, previousEventId: id - 1, timestamp, type, details });
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
      const event = raw as InterpreterEvent;
      const at = new Date(event.timestamp);
      const state = event.state;
      switch (event.type) {
        case 'StateEntered':
          if (!state) break;
          exec.stateTransitions += 1;
          exec.currentState = state.name;
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
          exec.stateTransitions += 1;
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
    const token = integration.callback ? deps.tokens.issue(exec.arn) : undefined;
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

    const deadline = startDeadline(timeoutSeconds, heartbeatSeconds);
    exec.cleanups.add(deadline.clear);
    token?.onHeartbeat(deadline.beat);
    const work = (async () => {
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
    finishedOrder.push(exec.arn);
    while (finishedOrder.length > KEPT_FINISHED_EXECUTIONS) {
      const oldest = finishedOrder.shift();
      if (oldest) executions.delete(oldest);
    }
  };

  const launch = (machine: LocalStateMachine, name: string, inputText: string, input: unknown) => {
    const arn =
      machine.type === 'STANDARD'
        ? `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`
        : `arn:aws:states:${region}:${accountId}:express:${machine.name}:${name}:${randomUUID()}`;
    const exec: RunningExecution = {
      arn,
      name,
      machine,
      input: inputText,
      status: 'RUNNING',
      startDate: new Date(),
      history: [],
      stateTransitions: 0,
      done: Promise.resolve(),
      finished: false,
      expressTimedOut: false,
      abort: () => undefined,
      cleanups: new Set(),
    };
    executions.set(arn, exec);
    record(exec, 'ExecutionStarted', {
      executionStartedEventDetails: {
        input: inputText,
        inputDetails: { truncated: false },
        roleArn: machine.roleArn,
      },
    });
    const handlers: TaskHandlers = Object.fromEntries(
      machine.tasks.map(({ spec, integration }) => [
        spec.stateName,
        (wrapped: unknown) => runTask(exec, spec, integration, wrapped) as never,
      ]),
    );
    const run = machine.interpreter.run(input as InterpreterInput, {
      context: {
        Execution: { Id: arn, Name: name, RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: { Token: TASK_TOKEN_PLACEHOLDER },
      },
      overrides: { taskResourceLocalHandlers: handlers },
    });
    exec.abort = run.abort;
    if (machine.type === 'EXPRESS') {
      const timer = setTimeout(() => {
        exec.expressTimedOut = true;
        run.abort();
      }, EXPRESS_MAX_MS);
      exec.cleanups.add(() => clearTimeout(timer));
    }
    const consumed = consumeEvents(exec, run.eventLogs);
    exec.done = settle(exec, run.result, consumed);
    return exec;
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
        tasks,
      };
      machines.set(arn, machine);
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
      if (machine.type === 'STANDARD') {
        const existing = executions.get(
          `arn:aws:states:${region}:${accountId}:execution:${machine.name}:${name}`,
        );
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
      }));
    },

    /** Aborts every running execution and waits for them to end. */
    async stopAll() {
      const running = [...executions.values()].filter((e) => !e.finished);
      for (const exec of running) {
        exec.stopRequest = { error: 'States.Aborted', cause: 'The local Step Functions stopped' };
        exec.abort();
      }
      await Promise.all(running.map((e) => e.done));
    },
  };
};

export type Engine = ReturnType<typeof createEngine>;
