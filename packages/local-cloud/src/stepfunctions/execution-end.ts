import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
} from 'aws-local-stepfunctions';
import type { EngineContext } from './context';
import type { Outcome, RunningExecution } from './execution';
import { detailsKey, recordEvent } from './history';
import { toStoredExecution } from './snapshot';

/** How an execution ends: its outcome, its last history event, and where it is kept then. */

const FAIL_STATE_DEFAULTS = {
  error: 'FailStateError',
  cause: 'Execution failed because of a Fail state',
};

const END_EVENTS: Record<Outcome['status'], string> = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};

const emptyToUndefined = (text: string | undefined) => (text === '' ? undefined : text);

/** The outcome of a run the interpreter ended with `error`. */
export const outcomeOfError = (exec: RunningExecution, error: unknown): Outcome => {
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

const recordEnd = (ctx: EngineContext, exec: RunningExecution, outcome: Outcome) => {
  const type = END_EVENTS[outcome.status];
  const details =
    outcome.status === 'SUCCEEDED'
      ? { output: outcome.output, outputDetails: { truncated: false } }
      : { error: outcome.error, cause: outcome.cause };
  recordEvent(ctx.store, exec, type, { [detailsKey(type)]: details });
};

/** Records an execution's end, keeps it among the finished ones and in the state folder. */
export const endExecution = (ctx: EngineContext, exec: RunningExecution, outcome: Outcome) => {
  recordEnd(ctx, exec, outcome);
  exec.currentState = undefined;
  exec.stopDate = new Date();
  exec.output = outcome.output;
  exec.error = outcome.error;
  exec.cause = outcome.cause;
  exec.status = outcome.status;
  const took = exec.stopDate.getTime() - exec.startDate.getTime();
  ctx.log(
    `[sfn] ${exec.machine.name} ${exec.name} ${exec.status}${exec.error ? ` (${exec.error})` : ''} in ${took} ms, ${exec.stateTransitions} transitions`,
  );
  if (ctx.store && exec.persisted) ctx.store.finished(toStoredExecution(exec));
  ctx.registry.remember(exec);
};
