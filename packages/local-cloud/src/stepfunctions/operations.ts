import type { Engine } from './engine';
import { SfnApiError } from './errors';
import type { TaskTokens } from './tokens';
import {
  describeExecution,
  describeStateMachine,
  executionListItem,
  historyEvent,
  type Input,
  page,
  required,
  seconds,
  syncExecutionResult,
} from './wire-format';

/** The Step Functions API operations the local service answers, by `X-Amz-Target` operation. */
export type Operations = Record<string, (input: Input) => unknown>;

const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
];

const statusFilter = (input: Input): string | undefined => {
  const filter = input.statusFilter;
  if (filter !== undefined && !EXECUTION_STATUSES.includes(String(filter))) {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value '${filter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${EXECUTION_STATUSES.join(', ')}]`,
    );
  }
  return filter === undefined ? undefined : String(filter);
};

const startInput = (input: Input) => ({
  stateMachineArn: required(input, 'stateMachineArn'),
  name: input.name,
  input: input.input,
});

const executionOperations = (engine: Engine): Operations => ({
  async StartExecution(input) {
    const exec = engine.startExecution(startInput(input));
    return { executionArn: exec.arn, startDate: seconds(exec.startDate) };
  },

  async StartSyncExecution(input) {
    return syncExecutionResult(await engine.startSyncExecution(startInput(input)));
  },

  DescribeExecution: (input) =>
    describeExecution(engine.executionOf(required(input, 'executionArn'))),

  ListExecutions(input) {
    const machine = engine.machineOf(required(input, 'stateMachineArn'));
    const all = engine.listExecutions(machine, statusFilter(input));
    const { items, nextToken } = page(all, input, 100, 1000);
    return { executions: items.map(executionListItem), nextToken };
  },

  GetExecutionHistory(input) {
    const exec = engine.executionOf(required(input, 'executionArn'));
    const events = input.reverseOrder === true ? [...exec.history].reverse() : exec.history;
    const { items, nextToken } = page(events, input, 100, 1000);
    const includeData = input.includeExecutionData !== false;
    return { events: items.map((event) => historyEvent(event, includeData)), nextToken };
  },

  async StopExecution(input) {
    const exec = await engine.stopExecution({
      executionArn: required(input, 'executionArn'),
      error: input.error,
      cause: input.cause,
    });
    return { stopDate: seconds(exec.stopDate) };
  },
});

const callbackOperations = (tokens: TaskTokens): Operations => ({
  SendTaskSuccess(input) {
    tokens.sendTaskSuccess(required(input, 'taskToken'), required(input, 'output'));
    return {};
  },

  SendTaskFailure(input) {
    tokens.sendTaskFailure(required(input, 'taskToken'), input.error, input.cause);
    return {};
  },

  SendTaskHeartbeat(input) {
    tokens.sendTaskHeartbeat(required(input, 'taskToken'));
    return {};
  },
});

const stateMachineOperations = (engine: Engine): Operations => ({
  DescribeStateMachine: (input) =>
    describeStateMachine(engine.machineOf(required(input, 'stateMachineArn'))),

  DescribeStateMachineForExecution(input) {
    const e = engine.executionOf(required(input, 'executionArn'));
    const { stateMachineArn, name, definition, roleArn } = describeStateMachine(e.machine);
    return {
      stateMachineArn,
      name,
      definition,
      roleArn,
      updateDate: seconds(e.machine.creationDate),
    };
  },

  ListStateMachines(input) {
    const { items, nextToken } = page(engine.machines(), input, 100, 1000);
    return {
      stateMachines: items.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: seconds(m.creationDate),
      })),
      nextToken,
    };
  },
});

/** Every operation the local service answers. */
export const sfnOperations = (engine: Engine, tokens: TaskTokens): Operations => ({
  ...executionOperations(engine),
  ...callbackOperations(tokens),
  ...stateMachineOperations(engine),
});
