import type { EngineContext } from './context';
import type { RunningExecution } from './execution';
import { detailsKey, eventData, json, recordEvent } from './history';
import type { Integration } from './integrations';

/**
 * The history events of a task attempt: `LambdaFunction*` for a plain Lambda ARN, `Task*` for
 * a service integration, as AWS records them.
 */

/** What the events of an attempt tell. */
export interface RecordedAttempt {
  integration: Integration;
  payload: unknown;
  timeoutSeconds: number | undefined;
  heartbeatSeconds: number | undefined;
}

/** `…Scheduled` and `…Started`. */
export const recordTaskStarted = (
  ctx: EngineContext,
  exec: RunningExecution,
  attempt: RecordedAttempt,
) => {
  const { resourceType, resource, lambdaFunction } = attempt.integration;
  const { payload, timeoutSeconds, heartbeatSeconds } = attempt;
  if (lambdaFunction) {
    recordEvent(ctx.store, exec, 'LambdaFunctionScheduled', {
      lambdaFunctionScheduledEventDetails: {
        resource,
        ...eventData('input', payload),
        ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
      },
    });
    recordEvent(ctx.store, exec, 'LambdaFunctionStarted');
    return;
  }
  recordEvent(ctx.store, exec, 'TaskScheduled', {
    taskScheduledEventDetails: {
      resourceType,
      resource,
      region: ctx.region,
      parameters: json(payload),
      ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    },
  });
  recordEvent(ctx.store, exec, 'TaskStarted', {
    taskStartedEventDetails: { resourceType, resource },
  });
};

/** `TaskSubmitted` (a callback task's service answered) or `TaskSucceeded`, with the output. */
const recordServiceOutput = (
  ctx: EngineContext,
  exec: RunningExecution,
  { resourceType, resource }: Integration,
  type: 'TaskSubmitted' | 'TaskSucceeded',
  output: unknown,
) =>
  recordEvent(ctx.store, exec, type, {
    [detailsKey(type)]: { resourceType, resource, ...eventData('output', output) },
  });

/** `TaskSubmitted`: a callback task's service answered; the task waits for its token. */
export const recordTaskSubmitted = (
  ctx: EngineContext,
  exec: RunningExecution,
  attempt: RecordedAttempt,
  response: unknown,
) => recordServiceOutput(ctx, exec, attempt.integration, 'TaskSubmitted', response);

export const recordTaskSucceeded = (
  ctx: EngineContext,
  exec: RunningExecution,
  attempt: RecordedAttempt,
  result: unknown,
) => {
  if (!attempt.integration.lambdaFunction) {
    recordServiceOutput(ctx, exec, attempt.integration, 'TaskSucceeded', result);
    return;
  }
  recordEvent(ctx.store, exec, 'LambdaFunctionSucceeded', {
    lambdaFunctionSucceededEventDetails: eventData('output', result),
  });
};

/** `…Failed`, or `…TimedOut` for `States.Timeout` and `States.HeartbeatTimeout`. */
export const recordTaskFailed = (
  ctx: EngineContext,
  exec: RunningExecution,
  attempt: RecordedAttempt,
  failure: { error: Error; timedOut: boolean },
) => {
  const { resourceType, resource, lambdaFunction } = attempt.integration;
  const type = `${lambdaFunction ? 'LambdaFunction' : 'Task'}${failure.timedOut ? 'TimedOut' : 'Failed'}`;
  const cause = { error: failure.error.name, cause: failure.error.message };
  recordEvent(ctx.store, exec, type, {
    [detailsKey(type)]: lambdaFunction ? cause : { resourceType, resource, ...cause },
  });
};
