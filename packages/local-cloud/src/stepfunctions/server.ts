import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Engine, HistoryEvent, LocalExecution, LocalStateMachine } from './engine';
import { SfnApiError } from './errors';
import type { TaskTokens } from './tokens';

const MAX_REQUEST_BYTES = 1024 * 1024;
type Input = Record<string, unknown>;

/** awsJson1_0 timestamps are epoch seconds. */
const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

const required = (input: Input, member: string): unknown => {
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
const page = <T>(items: T[], input: Input, fallback: number, max: number) => {
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

const describeExecution = (e: LocalExecution) => ({
  executionArn: e.arn,
  stateMachineArn: e.machine.arn,
  name: e.name,
  status: e.status,
  startDate: seconds(e.startDate),
  stopDate: seconds(e.stopDate),
  input: e.input,
  inputDetails: { included: true },
  ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
  error: e.error,
  cause: e.cause,
  redriveCount: 0,
  redriveStatus: 'NOT_REDRIVABLE',
  // Local extra (not in the SDK's output shape): what AWS bills a Standard workflow for.
  stateTransitions: e.stateTransitions,
});

const describeStateMachine = (m: LocalStateMachine) => ({
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

const withoutData = (details: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(details).filter(
      ([key]) => !['input', 'output', 'parameters', 'inputDetails', 'outputDetails'].includes(key),
    ),
  );

const historyEvent = (event: HistoryEvent, includeData: boolean) => ({
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

/** The Step Functions API operations the local service answers, by `X-Amz-Target` operation. */
const operations = (
  engine: Engine,
  tokens: TaskTokens,
): Record<string, (input: Input) => unknown> => ({
  async StartExecution(input) {
    const exec = engine.startExecution({
      stateMachineArn: required(input, 'stateMachineArn'),
      name: input.name,
      input: input.input,
    });
    return { executionArn: exec.arn, startDate: seconds(exec.startDate) };
  },

  async StartSyncExecution(input) {
    const e = await engine.startSyncExecution({
      stateMachineArn: required(input, 'stateMachineArn'),
      name: input.name,
      input: input.input,
    });
    const took = (e.stopDate?.getTime() ?? Date.now()) - e.startDate.getTime();
    return {
      executionArn: e.arn,
      stateMachineArn: e.machine.arn,
      name: e.name,
      startDate: seconds(e.startDate),
      stopDate: seconds(e.stopDate),
      status: e.status,
      error: e.error,
      cause: e.cause,
      input: e.input,
      inputDetails: { included: true },
      ...(e.output === undefined ? {} : { output: e.output, outputDetails: { included: true } }),
      billingDetails: {
        billedMemoryUsedInMB: 64,
        billedDurationInMilliseconds: Math.max(100, Math.ceil(took / 100) * 100),
      },
    };
  },

  DescribeExecution: (input) =>
    describeExecution(engine.executionOf(required(input, 'executionArn'))),

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

  ListExecutions(input) {
    const machine = engine.machineOf(required(input, 'stateMachineArn'));
    const filter = input.statusFilter;
    const statuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];
    if (filter !== undefined && !statuses.includes(String(filter))) {
      throw new SfnApiError(
        'ValidationException',
        `1 validation error detected: Value '${filter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${statuses.join(', ')}]`,
      );
    }
    const all = engine.listExecutions(machine, filter === undefined ? undefined : String(filter));
    const { items, nextToken } = page(all, input, 100, 1000);
    return {
      executions: items.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: e.machine.arn,
        name: e.name,
        status: e.status,
        startDate: seconds(e.startDate),
        stopDate: seconds(e.stopDate),
        stateTransitions: e.stateTransitions,
      })),
      nextToken,
    };
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

  DescribeStateMachine: (input) =>
    describeStateMachine(engine.machineOf(required(input, 'stateMachineArn'))),

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

/**
 * Step Functions' awsJson1_0 wire protocol (`POST /`, `X-Amz-Target: AWSStepFunctions.<Op>`,
 * errors `{"__type", "message"}` with status 400), so the SDK's SFNClient works by endpoint.
 * `GET /_local/executions` lists the executions for a status page (the kept ones) and `usage`:
 * executions started and state transitions by type since the engine started, never capped.
 */
export const startSfnServer = async (options: {
  port: number;
  engine: Engine;
  tokens: TaskTokens;
}): Promise<{ endpoint: string; stop(): Promise<void> }> => {
  const ops = operations(options.engine, options.tokens);

  const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, type: string, message: string) =>
    reply(res, status, { __type: type, message }, type);

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/_local/executions') {
      return reply(res, 200, {
        executions: options.engine.executions(),
        usage: options.engine.usage(),
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) {
        return fail(res, 413, 'ValidationException', 'The request is larger than 1 MiB');
      }
      chunks.push(chunk as Buffer);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.')
      ? ops[target.slice('AWSStepFunctions.'.length)]
      : undefined;
    if (!operation) {
      return fail(
        res,
        400,
        'UnknownOperationException',
        `${target || 'This operation'} is not supported locally`,
      );
    }
    let input: unknown;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return fail(res, 400, 'SerializationException', 'The request body is not valid JSON');
    }
    try {
      const output = await operation(
        input !== null && typeof input === 'object' ? (input as Input) : {},
      );
      return reply(res, 200, output);
    } catch (error) {
      if (error instanceof SfnApiError) return fail(res, 400, error.type, error.message);
      console.error(`[local-stepfunctions] ${target} failed:`, error);
      return fail(res, 500, 'InternalFailure', 'The local Step Functions failed; see its log');
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
