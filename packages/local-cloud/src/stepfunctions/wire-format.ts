import { SfnApiError } from './errors';
import type { HistoryEvent, LocalExecution, LocalStateMachine } from './model';

/** The API's input checks and output shapes in awsJson1_0 (timestamps as epoch seconds). */

export type Input = Record<string, unknown>;

/** awsJson1_0 timestamps are epoch seconds. */
export const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

export const required = (input: Input, member: string): unknown => {
  const value = input[member];
  if (value === undefined || value === null) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
};

const pageSize = (input: Input, fallback: number, max: number) => {
  const value = input.maxResults;
  if (value === undefined || value === 0) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return value;
};

/** One page of `items` from the offset `nextToken` carries (an opaque number locally). */
export const page = <T>(items: T[], input: Input, fallback: number, max: number) => {
  const size = pageSize(input, fallback, max);
  const start = input.nextToken === undefined ? 0 : Number.parseInt(String(input.nextToken), 36);
  if (!Number.isInteger(start) || start < 0) {
    throw new SfnApiError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
  }
  const end = start + size;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? end.toString(36) : undefined,
  };
};

/** What every answer about an execution says of it. */
const executionBasics = (e: LocalExecution) => ({
  executionArn: e.arn,
  stateMachineArn: e.machine.arn,
  name: e.name,
  status: e.status,
  startDate: seconds(e.startDate),
  stopDate: seconds(e.stopDate),
});

/** Its input and (once it succeeded) output, and how it ended. */
export const executionData = (e: LocalExecution) => ({
  input: e.input,
  inputDetails: { included: true },
  ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
  error: e.error,
  cause: e.cause,
});

/** An execution as ListExecutions lists it (plus the local `stateTransitions`). */
export const executionListItem = (e: LocalExecution) => ({
  ...executionBasics(e),
  stateTransitions: e.stateTransitions,
});

export const describeExecution = (e: LocalExecution) => ({
  ...executionBasics(e),
  ...executionData(e),
  redriveCount: 0,
  redriveStatus: 'NOT_REDRIVABLE',
  // Local extra (not in the SDK's output shape): what AWS bills a Standard workflow for.
  stateTransitions: e.stateTransitions,
});

/** StartSyncExecution's answer: the ended execution and what AWS would bill for it. */
export const syncExecutionResult = (e: LocalExecution) => {
  const took = (e.stopDate?.getTime() ?? Date.now()) - e.startDate.getTime();
  return {
    ...executionBasics(e),
    ...executionData(e),
    billingDetails: {
      billedMemoryUsedInMB: 64,
      billedDurationInMilliseconds: Math.max(100, Math.ceil(took / 100) * 100),
    },
  };
};

export const describeStateMachine = (m: LocalStateMachine) => ({
  stateMachineArn: m.arn,
  name: m.name,
  status: 'ACTIVE',
  definition: m.definition,
  roleArn: m.roleArn,
  type: m.type,
  creationDate: seconds(m.creationDate),
  loggingConfiguration: { level: 'OFF', includeExecutionData: false },
  tracingConfiguration: { enabled: false },
});

const DATA_MEMBERS = ['input', 'output', 'parameters', 'inputDetails', 'outputDetails'];

const withoutData = (details: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(details).filter(([key]) => !DATA_MEMBERS.includes(key)));

/** A history event as GetExecutionHistory answers it, with or without the data. */
export const historyEvent = (event: HistoryEvent, includeData: boolean) => ({
  timestamp: seconds(event.timestamp),
  type: event.type,
  id: event.id,
  previousEventId: event.previousEventId,
  ...(includeData
    ? event.details
    : Object.fromEntries(
        Object.entries(event.details).map(([key, details]) => [key, withoutData(details)]),
      )),
});
