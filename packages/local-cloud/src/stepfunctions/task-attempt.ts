import type { EngineContext } from './context';
import {
  isJsonObject,
  TASK_TOKEN_PLACEHOLDER,
  type TaskSpec,
  type WrappedTaskInput,
} from './definition';
import { StatesRuntimeFailure, TaskFailure } from './errors';
import type { RunningExecution } from './execution';
import { json } from './history';
import type { Integration } from './integrations';
import {
  type RecordedAttempt,
  recordTaskFailed,
  recordTaskStarted,
  recordTaskSubmitted,
  recordTaskSucceeded,
} from './task-history';
import { nextMacrotask, startTaskDeadline } from './timers';
import type { IssuedToken } from './tokens';

/**
 * Runs one attempt of a Task state: the interpreter calls it with the state's wrapped
 * processed input (see `prepareDefinition`), and it applies the timeouts, mints the task
 * token, calls the service integration and records the task's history events.
 */

export interface BoundTask {
  spec: TaskSpec;
  integration: Integration;
}

interface TaskAttempt extends RecordedAttempt {
  spec: TaskSpec;
  /** What is left of the timeout (a resumed attempt counts from when it started). */
  deadlineSeconds: number | undefined;
  /** The timeout passed while the local Step Functions was down: it fires at once. */
  expired: boolean;
  token: IssuedToken | undefined;
}

const stopped = () => new StatesRuntimeFailure('The execution has stopped');

const positiveInteger = (value: unknown, field: string, path: string): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new StatesRuntimeFailure(
      `The ${field} parameter '${path}' does not reference a positive integer: ${json(value)}`,
    );
  }
  return value;
};

/** TimeoutSeconds(Path) and, for a callback task, HeartbeatSeconds(Path). */
const taskTimeouts = ({ spec, integration }: BoundTask, input: WrappedTaskInput) => ({
  timeoutSeconds: spec.timeoutPath
    ? positiveInteger(input.timeoutSeconds, 'TimeoutSecondsPath', spec.timeoutPath)
    : spec.timeoutSeconds,
  heartbeatSeconds: !integration.callback
    ? undefined
    : spec.heartbeatPath
      ? positiveInteger(input.heartbeatSeconds, 'HeartbeatSecondsPath', spec.heartbeatPath)
      : spec.heartbeatSeconds,
});

/**
 * When the attempt started: now, except that the attempt a restart interrupted goes on, its
 * timeout counting from when it started.
 */
const attemptStart = (exec: RunningExecution, spec: TaskSpec): Date => {
  const position = exec.position?.state === spec.stateName ? exec.position : undefined;
  const resuming = exec.resuming;
  let startedAt = new Date();
  if (resuming?.state === spec.stateName && !resuming.taskResumed) {
    resuming.taskResumed = true;
    startedAt = resuming.position?.taskStartedAt ?? resuming.position?.enteredAt ?? startedAt;
  }
  if (position) position.taskStartedAt = startedAt;
  return startedAt;
};

const prepareAttempt = (
  ctx: EngineContext,
  exec: RunningExecution,
  task: BoundTask,
  wrapped: unknown,
): TaskAttempt => {
  const { spec, integration } = task;
  const input = (isJsonObject(wrapped) ? wrapped : { payload: wrapped }) as WrappedTaskInput;
  const { timeoutSeconds, heartbeatSeconds } = taskTimeouts(task, input);
  if (!integration.callback && json(input.payload).includes(TASK_TOKEN_PLACEHOLDER)) {
    throw new StatesRuntimeFailure(
      `The JSONPath '$$.Task.Token' in the Parameters of state '${spec.stateName}' could not be found: only .waitForTaskToken tasks have a task token`,
    );
  }
  const elapsedSeconds = (Date.now() - attemptStart(exec, spec).getTime()) / 1000;
  const deadlineSeconds =
    timeoutSeconds === undefined ? undefined : Math.max(0, timeoutSeconds - elapsedSeconds);
  const expired = deadlineSeconds === 0;
  const token = integration.callback && !expired ? ctx.deps.tokens.issue(exec.arn) : undefined;
  if (token) exec.tokens.push(token.value);
  const payload = token
    ? JSON.parse(json(input.payload).replaceAll(TASK_TOKEN_PLACEHOLDER, token.value))
    : input.payload;
  return {
    spec,
    integration,
    payload,
    timeoutSeconds,
    heartbeatSeconds,
    deadlineSeconds,
    expired,
    token,
  };
};

/** Calls the service; a callback task then waits for its token's outcome. */
const callService = async (
  exec: RunningExecution,
  attempt: TaskAttempt,
  expired: Promise<never>,
  onSubmitted: (response: unknown) => void,
): Promise<unknown> => {
  if (attempt.expired) return expired;
  const response = await attempt.integration.call(attempt.payload, {
    executionArn: exec.arn,
    stateMachineArn: exec.machine.arn,
  });
  if (!attempt.token) return response;
  if (!exec.finished) onSubmitted(response);
  return attempt.token.outcome;
};

/** The error the attempt fails with: an unexpected one becomes `States.TaskFailed`. */
const attemptFailure = (
  ctx: EngineContext,
  exec: RunningExecution,
  spec: TaskSpec,
  raw: unknown,
): { error: Error; timedOut: boolean } => {
  const timedOut =
    raw instanceof Error &&
    (raw.name === 'States.Timeout' || raw.name === 'States.HeartbeatTimeout');
  if (raw instanceof TaskFailure || raw instanceof StatesRuntimeFailure || timedOut) {
    return { error: raw as Error, timedOut };
  }
  ctx.log(`[sfn] ${exec.machine.name}/${spec.stateName}: ${String(raw)}`);
  const message = raw instanceof Error ? raw.message : String(raw);
  return { error: new TaskFailure('States.TaskFailed', message), timedOut };
};

/** The interpreter's handler of one Task state of a running execution: runs an attempt a call. */
export const taskAttemptRunner =
  (ctx: EngineContext, exec: RunningExecution, task: BoundTask) =>
  async (wrapped: unknown): Promise<unknown> => {
    // The interpreter calls this synchronously after queueing StateEntered (or StateRetried);
    // its event stream is consumed asynchronously. Yielding once lets that catch up, so the
    // history has the task's events after the state's.
    await nextMacrotask();
    if (exec.finished) throw stopped();
    const attempt = prepareAttempt(ctx, exec, task, wrapped);
    recordTaskStarted(ctx, exec, attempt);
    const deadline = startTaskDeadline(attempt.deadlineSeconds, attempt.heartbeatSeconds);
    exec.cleanups.add(deadline.clear);
    attempt.token?.onHeartbeat(deadline.beat);
    const work = callService(exec, attempt, deadline.expired, (response) =>
      recordTaskSubmitted(ctx, exec, attempt, response),
    );
    work.catch(() => undefined);
    try {
      const result = await Promise.race([work, deadline.expired]);
      if (exec.finished) throw stopped();
      recordTaskSucceeded(ctx, exec, attempt, result);
      return result;
    } catch (raw) {
      const failure = attemptFailure(ctx, exec, task.spec, raw);
      if (!exec.finished) recordTaskFailed(ctx, exec, attempt, failure);
      throw failure.error;
    } finally {
      deadline.clear();
      exec.cleanups.delete(deadline.clear);
      if (attempt.token) ctx.deps.tokens.close(attempt.token.value);
    }
  };
