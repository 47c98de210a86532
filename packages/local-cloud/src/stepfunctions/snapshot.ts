import { newRunningExecution, type Position, type RunningExecution } from './execution';
import type { LocalStateMachine } from './model';
import type { StoredExecution } from './persistence';

/** Converts executions to and from the records the state folder keeps. */

const storedPosition = (position: Position): NonNullable<StoredExecution['at']> => ({
  state: position.state,
  input: position.input,
  enteredAt: position.enteredAt.toISOString(),
  ...(position.taskStartedAt ? { taskStartedAt: position.taskStartedAt.toISOString() } : {}),
});

/** The record of an execution, as the state folder keeps it. */
export const toStoredExecution = (exec: RunningExecution): StoredExecution => ({
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
  ...(exec.position && exec.status === 'RUNNING' ? { at: storedPosition(exec.position) } : {}),
  tokens: exec.tokens,
  resumes: exec.resumes,
  ...(exec.machine.owner ? { owner: exec.machine.owner } : {}),
});

/** Where a stored running execution was, if it had entered a state. */
export const positionOf = (record: StoredExecution): Position | undefined =>
  record.at
    ? {
        state: record.at.state,
        input: record.at.input,
        enteredAt: new Date(record.at.enteredAt),
        ...(record.at.taskStartedAt ? { taskStartedAt: new Date(record.at.taskStartedAt) } : {}),
      }
    : undefined;

/** An execution as the state folder kept it, attached to `machine` (not run). */
export const fromStoredExecution = (
  record: StoredExecution,
  machine: LocalStateMachine,
): RunningExecution => {
  const exec = newRunningExecution(machine, {
    arn: record.arn,
    name: record.name,
    input: record.input,
    persisted: true,
  });
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
  });
  return exec;
};
