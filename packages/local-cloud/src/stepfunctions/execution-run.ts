import { randomUUID } from 'node:crypto';
import type { RunOptions, StateMachine } from 'aws-local-stepfunctions';
import type { EngineContext } from './context';
import { TASK_TOKEN_PLACEHOLDER } from './definition';
import { StatesRuntimeFailure } from './errors';
import { newRunningExecution, type Outcome, type RunningExecution } from './execution';
import { endExecution, outcomeOfError } from './execution-end';
import { json, recordEvent } from './history';
import { mirrorInterpreterEvents } from './interpreter-events';
import type { LocalStateMachine } from './model';
import { taskAttemptRunner } from './task-attempt';
import { settledWithin } from './timers';

/** Starts executions and runs them on the interpreter to their end. */

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type InterpreterInput = Parameters<StateMachine['run']>[0];

/** Express executions last at most five minutes. */
const EXPRESS_MAX_MS = 5 * 60 * 1000;

/** Waits for the run's result, stops what is still pending and records the end. */
const finishRun = async (
  ctx: EngineContext,
  exec: RunningExecution,
  result: Promise<unknown>,
  consumed: Promise<void>,
): Promise<void> => {
  let outcome: Outcome;
  try {
    outcome = { status: 'SUCCEEDED', output: json(await result) };
  } catch (error) {
    outcome = outcomeOfError(exec, error);
  }
  // Stop what is still pending: timers, and tasks waiting for a token (their tokens close).
  exec.finished = true;
  for (const cleanup of exec.cleanups) cleanup();
  exec.cleanups.clear();
  ctx.deps.tokens.closeAllOf(exec.arn, new StatesRuntimeFailure('The execution has stopped'));
  // The interpreter closes its event stream when the run ends; wait for the last events.
  await settledWithin(consumed, 2000);
  // Stopped with the local Step Functions: still RUNNING in the state folder.
  if (exec.detached) return;
  endExecution(ctx, exec, outcome);
};

const taskHandlers = (ctx: EngineContext, exec: RunningExecution): TaskHandlers =>
  Object.fromEntries(
    exec.machine.tasks.map((task) => [
      task.spec.stateName,
      taskAttemptRunner(ctx, exec, task) as never,
    ]),
  );

/** Aborts an Express execution after five minutes. */
const limitExpressRun = (exec: RunningExecution, abort: () => void) => {
  const timer = setTimeout(() => {
    exec.expressTimedOut = true;
    abort();
  }, EXPRESS_MAX_MS);
  exec.cleanups.add(() => clearTimeout(timer));
};

/** Runs `interpreter` (the machine's, or one starting where a restart interrupted it). */
export const runExecution = (
  ctx: EngineContext,
  exec: RunningExecution,
  interpreter: StateMachine,
  input: unknown,
) => {
  const { machine } = exec;
  const running = interpreter.run(input as InterpreterInput, {
    context: {
      Execution: { Id: exec.arn, Name: exec.name, RoleArn: machine.roleArn },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
    },
    overrides: { taskResourceLocalHandlers: taskHandlers(ctx, exec) },
  });
  exec.abort = running.abort;
  if (machine.type === 'EXPRESS') limitExpressRun(exec, running.abort);
  const consumed = mirrorInterpreterEvents(ctx, exec, running.eventLogs);
  exec.done = finishRun(ctx, exec, running.result, consumed);
};

/** The ARN of the Standard execution of `machine` named `name`. */
export const standardExecutionArn = (
  ctx: EngineContext,
  machine: LocalStateMachine,
  name: string,
) => `arn:aws:states:${ctx.region}:${ctx.accountId}:execution:${machine.name}:${name}`;

/** Starts a new execution of `machine` (its name and input already checked). */
export const launchExecution = (
  ctx: EngineContext,
  machine: LocalStateMachine,
  name: string,
  input: { text: string; value: unknown },
): RunningExecution => {
  const arn =
    machine.type === 'STANDARD'
      ? standardExecutionArn(ctx, machine, name)
      : `arn:aws:states:${ctx.region}:${ctx.accountId}:express:${machine.name}:${name}:${randomUUID()}`;
  ctx.registry.countExecution(machine.type);
  const persisted = Boolean(ctx.store) && machine.type === 'STANDARD';
  const exec = newRunningExecution(machine, { arn, name, input: input.text, persisted });
  ctx.registry.addExecution(exec);
  recordEvent(ctx.store, exec, 'ExecutionStarted', {
    executionStartedEventDetails: {
      input: input.text,
      inputDetails: { truncated: false },
      roleArn: machine.roleArn,
    },
  });
  runExecution(ctx, exec, machine.interpreter, input.value);
  return exec;
};
