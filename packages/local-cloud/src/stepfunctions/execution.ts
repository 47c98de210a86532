import type { ExecutionStatus, LocalExecution, LocalStateMachine } from './model';

/** Where a running execution is, for resuming it after a restart. */
export interface Position {
  /** The top-level state entered last (a Map or Parallel state as a whole). */
  state: string;
  input: unknown;
  enteredAt: Date;
  /** When that state's current task attempt started. */
  taskStartedAt?: Date;
}

/** An execution as the engine runs it: the public view plus what its run needs. */
export interface RunningExecution extends LocalExecution {
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

/** How an execution ended. */
export interface Outcome {
  status: Exclude<ExecutionStatus, 'RUNNING'>;
  output?: string;
  error?: string;
  cause?: string;
}

/** A new RUNNING execution of `machine` with an empty history, not yet run. */
export const newRunningExecution = (
  machine: LocalStateMachine,
  fields: { arn: string; name: string; input: string; persisted: boolean },
): RunningExecution => ({
  arn: fields.arn,
  name: fields.name,
  machine,
  input: fields.input,
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
  persisted: fields.persisted,
  detached: false,
  tokens: [],
});
