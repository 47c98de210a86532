import './polyfill';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { SfnApiError } from './errors';

/**
 * What `$$.Task.Token` reads in every run (the interpreter's context object is fixed per run);
 * each `.waitForTaskToken` task replaces it with a token minted for that task attempt.
 */
export const TASK_TOKEN_PLACEHOLDER = '__local-sfn-task-token__';

/**
 * The longest a Node timer waits (2^31-1 ms ≈ 24.8 days). AWS's defaults (99999999 s) and any
 * longer timeout mean "no timeout" locally; a longer Node timer would fire after 1 ms.
 */
export const MAX_TIMER_SECONDS = 2_147_483;

/** A Task state as the local runtime executes it. */
export interface TaskSpec {
  stateName: string;
  resource: string;
  timeoutSeconds?: number;
  timeoutPath?: string;
  heartbeatSeconds?: number;
  heartbeatPath?: string;
}

/** The wrapper the rewritten `Parameters` of a Task state produce (see `prepareDefinition`). */
export interface WrappedTaskInput {
  payload?: unknown;
  timeoutSeconds?: unknown;
  heartbeatSeconds?: unknown;
}

export interface PreparedDefinition {
  /** The definition handed to aws-local-stepfunctions. */
  definition: StateMachineDefinition;
  tasks: TaskSpec[];
}

type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const invalid = (reason: string) =>
  new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${reason}'`);

/**
 * Parses and validates an ASL definition as CreateStateMachine would (the interpreter's
 * asl-validator: structure, reachable states, paths, ARNs); throws `InvalidDefinition`.
 */
export const parseDefinition = (text: string): JsonObject => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(`SCHEMA_VALIDATION_FAILED: ${(error as Error).message}`);
  }
  if (!isJsonObject(parsed) || typeof parsed.StartAt !== 'string' || !isJsonObject(parsed.States)) {
    throw invalid('SCHEMA_VALIDATION_FAILED: a definition needs StartAt and States');
  }
  try {
    new StateMachine(parsed as unknown as StateMachineDefinition);
  } catch (error) {
    throw invalid((error as Error).message.replace(/\s+/g, ' ').trim());
  }
  return parsed;
};

const withHeartbeatTimeout = (errorEquals: unknown): unknown =>
  Array.isArray(errorEquals) &&
  errorEquals.includes('States.Timeout') &&
  !errorEquals.includes('States.HeartbeatTimeout')
    ? [...errorEquals, 'States.HeartbeatTimeout']
    : errorEquals;

const optionalNumber = (value: unknown, field: string, state: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(`${field} of state ${state} must be a positive integer`);
  }
  return value;
};

/** The Task states met so far while preparing a definition (names are unique machine-wide). */
interface TaskCollector {
  tasks: TaskSpec[];
  names: Set<string>;
}

/** Retry and Catch: `States.Timeout` also matches heartbeats; `ResultPath: "$"` dropped. */
const prepareErrorHandling = (state: JsonObject, out: JsonObject) => {
  if (Array.isArray(state.Retry)) {
    out.Retry = state.Retry.map((retrier: JsonObject) => ({
      ...retrier,
      ErrorEquals: withHeartbeatTimeout(retrier.ErrorEquals),
    }));
  }
  if (Array.isArray(state.Catch)) {
    out.Catch = state.Catch.map((catcher: JsonObject) => {
      const fixed: JsonObject = {
        ...catcher,
        ErrorEquals: withHeartbeatTimeout(catcher.ErrorEquals),
      };
      if (catcher.ResultPath === '$') delete fixed.ResultPath;
      return fixed;
    });
  }
};

const taskSpec = (name: string, state: JsonObject): TaskSpec => {
  const spec: TaskSpec = {
    stateName: name,
    resource: String(state.Resource),
    timeoutSeconds: optionalNumber(state.TimeoutSeconds, 'TimeoutSeconds', name),
    timeoutPath:
      typeof state.TimeoutSecondsPath === 'string' ? state.TimeoutSecondsPath : undefined,
    heartbeatSeconds: optionalNumber(state.HeartbeatSeconds, 'HeartbeatSeconds', name),
    heartbeatPath:
      typeof state.HeartbeatSecondsPath === 'string' ? state.HeartbeatSecondsPath : undefined,
  };
  if (
    spec.timeoutSeconds !== undefined &&
    spec.heartbeatSeconds !== undefined &&
    spec.heartbeatSeconds >= spec.timeoutSeconds
  ) {
    throw invalid(`HeartbeatSeconds of state ${name} must be smaller than its TimeoutSeconds`);
  }
  return spec;
};

/** A Task state: its timeouts left to the local handler, its Parameters wrapped. */
const prepareTask = (name: string, state: JsonObject, out: JsonObject, found: TaskCollector) => {
  if (found.names.has(name)) throw invalid(`state name ${name} is used more than once`);
  found.names.add(name);
  const spec = taskSpec(name, state);
  found.tasks.push(spec);
  delete out.TimeoutSecondsPath;
  delete out.HeartbeatSeconds;
  delete out.HeartbeatSecondsPath;
  out.TimeoutSeconds = MAX_TIMER_SECONDS;
  out.Parameters = {
    ...(state.Parameters === undefined ? { 'payload.$': '$' } : { payload: state.Parameters }),
    ...(spec.timeoutPath ? { 'timeoutSeconds.$': spec.timeoutPath } : {}),
    ...(spec.heartbeatPath ? { 'heartbeatSeconds.$': spec.heartbeatPath } : {}),
  };
};

/** Rewrites one state by its type (a Parallel's branches, a Map's processor recursively). */
const prepareByType = (name: string, state: JsonObject, out: JsonObject, found: TaskCollector) => {
  switch (state.Type) {
    case 'Task':
      prepareTask(name, state, out, found);
      break;
    case 'Pass':
      if ('Result' in state && !state.Result) {
        // A Pass state's Result replaces its Parameters; the interpreter skips falsy Results.
        delete out.Result;
        out.Parameters = state.Result;
      }
      break;
    case 'Wait':
      if (typeof state.Seconds === 'number' && state.Seconds > MAX_TIMER_SECONDS) {
        out.Seconds = MAX_TIMER_SECONDS;
      }
      break;
    case 'Parallel':
      if (Array.isArray(state.Branches)) {
        out.Branches = state.Branches.map((branch: JsonObject) => prepareMachine(branch, found));
      }
      break;
    case 'Map':
      if (isJsonObject(state.Iterator)) out.Iterator = prepareMachine(state.Iterator, found);
      if (isJsonObject(state.ItemProcessor))
        out.ItemProcessor = prepareMachine(state.ItemProcessor, found);
      break;
    default:
      break;
  }
};

const prepareState = (name: string, state: JsonObject, found: TaskCollector): JsonObject => {
  const out: JsonObject = { ...state };
  if (state.ResultPath === '$') delete out.ResultPath;
  prepareErrorHandling(state, out);
  prepareByType(name, state, out, found);
  return out;
};

function prepareMachine(machine: JsonObject, found: TaskCollector): JsonObject {
  const states = isJsonObject(machine.States) ? machine.States : {};
  return {
    ...machine,
    States: Object.fromEntries(
      Object.entries(states).map(([name, state]) => [
        name,
        isJsonObject(state) ? prepareState(name, state, found) : state,
      ]),
    ),
  };
}

/**
 * Rewrites a validated definition so that aws-local-stepfunctions 3.0.0 runs it as AWS does,
 * and lists its Task states. The interpreter's gaps this closes:
 * - Task timeouts: it defaults to 60 s (AWS: none), resolves `TimeoutSecondsPath` against the
 *   state's *processed* input (AWS: its input after `InputPath`), and has no heartbeats. Every
 *   Task gets `TimeoutSeconds: MAX_TIMER_SECONDS` as a backstop and `Parameters` wrapped as
 *   `{payload, timeoutSeconds, heartbeatSeconds}` so that the paths resolve against the same
 *   input as on AWS; the local handler applies the timeouts (with heartbeats).
 * - `States.Timeout` in `ErrorEquals` also matches `States.HeartbeatTimeout`, as on AWS.
 * - `ResultPath: "$"` (it sets a key named `$`) and a falsy Pass `Result` (it is ignored).
 */
export const prepareDefinition = (definition: JsonObject): PreparedDefinition => {
  const found: TaskCollector = { tasks: [], names: new Set() };
  const prepared = prepareMachine(definition, found);
  if (
    typeof definition.TimeoutSeconds === 'number' &&
    definition.TimeoutSeconds > MAX_TIMER_SECONDS
  ) {
    prepared.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  return { definition: prepared as unknown as StateMachineDefinition, tasks: found.tasks };
};
