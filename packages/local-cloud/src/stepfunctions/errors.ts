import './polyfill';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * An error of the Step Functions API (`ExecutionDoesNotExist`, `TaskTimedOut` …), answered as
 * `{"__type": type, "message": message}` with status 400, which the SDK turns into its typed
 * exception of that name.
 */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * A task's failure under the name Step Functions gives it (`DynamoDB.ConditionalCheckFailedException`,
 * the `errorType` a Lambda threw, the `error` of SendTaskFailure …). The interpreter matches
 * `ErrorEquals` against `name` and reports `message` as the cause.
 */
export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/**
 * `States.Runtime`: a fault in the execution itself (a path that selects nothing, a bad
 * timeout value). As on AWS, neither `Retry` nor `Catch` handles it: the interpreter reads
 * `isRetryable`/`isCatchable`.
 */
export class StatesRuntimeFailure extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(cause: string) {
    super(cause);
    this.name = 'States.Runtime';
  }
}

type TimeoutErrorClass = new () => Error;
let timeoutErrorClass: TimeoutErrorClass | undefined;

/**
 * The interpreter keeps timeouts out of `States.TaskFailed` only for instances of its own
 * (unexported) `States.Timeout` error class. Our timers (TimeoutSecondsPath, HeartbeatSeconds)
 * raise instances of that class, learned once by letting a 1 ms task time out.
 */
export const learnTimeoutErrorClass = async (): Promise<void> => {
  if (timeoutErrorClass) return;
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: {
        Probe: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:000000000000:function:probe',
          TimeoutSeconds: 0.001,
          End: true,
        },
      },
    } as StateMachineDefinition,
    { validationOptions: { noValidate: true } },
  );
  const run = probe.run(
    {},
    { overrides: { taskResourceLocalHandlers: { Probe: () => new Promise(() => undefined) } } },
  );
  try {
    await run.result;
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.cause : undefined;
    if (cause instanceof Error && cause.name === 'States.Timeout') {
      timeoutErrorClass = cause.constructor as TimeoutErrorClass;
    }
  }
};

/**
 * `States.Timeout` (the state ran longer than its TimeoutSeconds) or `States.HeartbeatTimeout`
 * (no heartbeat within HeartbeatSeconds). Like AWS, the catcher output's `Cause` is empty.
 */
export const timeoutError = (name: 'States.Timeout' | 'States.HeartbeatTimeout'): Error => {
  const error = timeoutErrorClass ? new timeoutErrorClass() : new Error();
  error.name = name;
  error.message = '';
  return error;
};
