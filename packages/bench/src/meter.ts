import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InterposedTarget } from '@espresso/local-cloud';

/*
 * A counting proxy for the local stack's AWS endpoints (`startStack({interpose})`): every
 * request the handlers and the workflows' integrations make to DynamoDB, EventBridge, SQS, Step
 * Functions, Lambda (the services' invoke endpoints) and the WebSocket management API passes
 * through it and is counted by operation. DynamoDB requests get `ReturnConsumedCapacity: TOTAL`
 * added so the capacity units are DynamoDB Local's own figures, per table. Writes refused by their
 * condition are counted apart with the units AWS bills for them (`failedConditionalWrites`);
 * conditional single-item writes get `ReturnValuesOnConditionCheckFailure: ALL_OLD` added so the
 * existing item's size is known (the handlers see an `Item` on the error they did not ask for).
 */

export interface TableUse {
  requests: number;
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems requests. */
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
  /** Writes refused by their condition (a cancelled transaction counts each of its writes). */
  failedConditionalWrites: number;
  /** What AWS bills for them (`failedWriteUnits`): not in `writeUnits`. */
  failedWriteUnits: number;
}

export interface MeterCounts {
  /** target → operation (X-Amz-Target's operation, a function name, `PostToConnection`) → n. */
  requests: Record<string, Record<string, number>>;
  dynamodb: {
    readUnits: number;
    writeUnits: number;
    /** Write units of writes whose condition failed: billed by DynamoDB, reported by nobody. */
    failedWriteUnits: number;
    failedConditionalWrites: number;
    tables: Record<string, TableUse>;
  };
  /** PutEvents entries (what EventBridge bills), whoever put them through the proxy. */
  eventEntries: number;
  /** Lambda invocations through the invoke endpoints: function → count and total ms. */
  lambda: Record<string, { n: number; ms: number }>;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

const SINGLE_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

const empty = (): MeterCounts => ({
  requests: {},
  dynamodb: {
    readUnits: 0,
    writeUnits: 0,
    failedWriteUnits: 0,
    failedConditionalWrites: 0,
    tables: {},
  },
  eventEntries: 0,
  lambda: {},
});

/** `record[key]`, created with `make()` on first use. */
const slot = <T>(record: Record<string, T>, key: string, make: () => T): T => {
  const existing = record[key];
  if (existing !== undefined) return existing;
  const created = make();
  record[key] = created;
  return created;
};
const noUse = (): TableUse => ({
  requests: 0,
  writeRequests: 0,
  readUnits: 0,
  writeUnits: 0,
  failedConditionalWrites: 0,
  failedWriteUnits: 0,
});

type AttributeValue = Record<string, unknown>;

/** The size of one attribute value as DynamoDB counts it (bytes). */
const valueBytes = (value: AttributeValue): number => {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return Buffer.byteLength(String(v));
    case 'N':
      // Up to 38 significant digits: about one byte per two digits, plus one.
      return Math.ceil(String(v).replace(/^[-+]|[.eE].*$/g, '').length / 2) + 1;
    case 'B':
      return Buffer.from(String(v), 'base64').length;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'SS':
      return (v as string[]).reduce((a, x) => a + Buffer.byteLength(x), 0);
    case 'NS':
      return (v as string[]).reduce((a, x) => a + valueBytes({ N: x }), 0);
    case 'BS':
      return (v as string[]).reduce((a, x) => a + Buffer.from(x, 'base64').length, 0);
    case 'L':
      return 3 + (v as AttributeValue[]).reduce((a, x) => a + 1 + valueBytes(x), 0);
    case 'M':
      return 3 + itemBytes(v as Record<string, AttributeValue>) + Object.keys(v as object).length;
    default:
      return 0;
  }
};

/**
 * An item's size as DynamoDB bills it: attribute names' UTF-8 bytes plus their values' (the
 * developer guide's "Item sizes and formats"; nested overheads approximated).
 */
export const itemBytes = (item: Record<string, AttributeValue>): number =>
  Object.entries(item).reduce(
    (a, [name, value]) => a + Buffer.byteLength(name) + valueBytes(value),
    0,
  );

/** Write units of one standard write of an item of this size: 1 per started KB, at least 1. */
export const writeUnitsOf = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

/**
 * A write refused by its condition (ConditionalCheckFailedException, or a TransactWriteItems
 * cancelled by a ConditionalCheckFailed) still consumes write units: "the size of the existing
 * item, or a minimum of 1" (DynamoDB developer guide, conditional writes). Neither AWS nor
 * DynamoDB Local reports them in the error. Estimated here per table from what the request and
 * the error show: the existing item when the error returns it (`ReturnValuesOnConditionCheckFailure`),
 * else the new item of a Put, else 1 unit; transactional writes count twice (2 units per KB).
 */
export const failedConditionalWrites = (
  operation: string,
  input: Record<string, unknown>,
  error: Record<string, unknown>,
): { table: string; units: number }[] => {
  const type = String(error.__type ?? '');
  const oldItem = (e: Record<string, unknown> | undefined) =>
    e?.Item && typeof e.Item === 'object' ? (e.Item as Record<string, AttributeValue>) : undefined;
  const sized = (request: Record<string, unknown>, existing?: Record<string, AttributeValue>) => {
    if (existing) return itemBytes(existing);
    if (request.Item && typeof request.Item === 'object') {
      return itemBytes(request.Item as Record<string, AttributeValue>);
    }
    return 0;
  };
  if (type.endsWith('ConditionalCheckFailedException')) {
    if (!SINGLE_WRITES.has(operation)) return [];
    return [
      {
        table: String(input.TableName ?? '?'),
        units: writeUnitsOf(sized(input, oldItem(error))),
      },
    ];
  }
  if (type.endsWith('TransactionCanceledException') && operation === 'TransactWriteItems') {
    const reasons = (Array.isArray(error.CancellationReasons) ? error.CancellationReasons : []) as {
      Code?: string;
      Item?: Record<string, AttributeValue>;
    }[];
    const conditional =
      reasons.some((r) => r.Code === 'ConditionalCheckFailed') ||
      /ConditionalCheckFailed/.test(String(error.message ?? error.Message ?? ''));
    if (!conditional) return [];
    const items = (Array.isArray(input.TransactItems) ? input.TransactItems : []) as Record<
      string,
      Record<string, unknown>
    >[];
    return items.flatMap((item, i) =>
      Object.entries(item)
        .filter(([kind]) => kind !== 'ConditionCheck')
        .map(([, request]) => ({
          table: String(request.TableName ?? '?'),
          units: 2 * writeUnitsOf(sized(request, reasons[i]?.Item)),
        })),
    );
  }
  return [];
};

const readBody = async (stream: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const json = (buffer: Buffer): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(buffer.toString('utf8') || '{}') as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return undefined;
  }
};

/** The operation a request names: `X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem`. */
export const operationOf = (
  target: InterposedTarget,
  method: string,
  path: string,
  amzTarget?: string,
) => {
  if (amzTarget) return amzTarget.split('.').pop() ?? amzTarget;
  if (target === 'lambda') {
    return /\/functions\/([^/]+)\/invocations/.exec(path)?.[1] ?? `${method} ${path}`;
  }
  if (target === 'websocket') {
    return method === 'POST'
      ? 'PostToConnection'
      : method === 'DELETE'
        ? 'DeleteConnection'
        : method;
  }
  return `${method} ${path}`;
};

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export interface Meter {
  interpose(target: InterposedTarget, endpoint: string): Promise<string>;
  /** A deep copy of the counts so far. */
  snapshot(): MeterCounts;
  reset(): void;
  stop(): Promise<void>;
}

export const createMeter = (): Meter => {
  let counts = empty();
  const servers: Server[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const countCapacity = (operation: string, response: Record<string, unknown> | undefined) => {
    const consumed = response?.ConsumedCapacity;
    const list = (
      Array.isArray(consumed) ? consumed : consumed ? [consumed] : []
    ) as ConsumedCapacity[];
    for (const c of list) {
      const table = c.TableName ?? '?';
      const use = slot(counts.dynamodb.tables, table, noUse);
      const units = c.CapacityUnits ?? 0;
      const read = c.ReadCapacityUnits ?? (READS.has(operation) ? units : 0);
      const write = c.WriteCapacityUnits ?? (WRITES.has(operation) ? units : 0);
      use.readUnits += read;
      use.writeUnits += write;
      counts.dynamodb.readUnits += read;
      counts.dynamodb.writeUnits += write;
    }
  };

  const tablesOf = (input: Record<string, unknown>): string[] => {
    if (typeof input.TableName === 'string') return [input.TableName];
    if (input.RequestItems && typeof input.RequestItems === 'object') {
      return Object.keys(input.RequestItems);
    }
    if (Array.isArray(input.TransactItems)) {
      return (input.TransactItems as Record<string, { TableName?: string }>[]).flatMap((item) =>
        Object.values(item).map((op) => op.TableName ?? '?'),
      );
    }
    return [];
  };

  const interpose = async (target: InterposedTarget, endpoint: string) => {
    const upstream = new URL(endpoint);
    const server = createServer(async (req, res) => {
      const started = performance.now();
      let body = await readBody(req);
      const amzTarget = req.headers['x-amz-target'];
      const operation = operationOf(
        target,
        req.method ?? 'GET',
        req.url ?? '/',
        typeof amzTarget === 'string' ? amzTarget : undefined,
      );
      const byOp = slot(counts.requests, target, (): Record<string, number> => ({}));
      byOp[operation] = (byOp[operation] ?? 0) + 1;
      const input = target === 'dynamodb' || target === 'events' ? json(body) : undefined;
      if (target === 'events' && operation === 'PutEvents' && Array.isArray(input?.Entries)) {
        counts.eventEntries += input.Entries.length;
      }
      const measureCapacity =
        target === 'dynamodb' &&
        input !== undefined &&
        (READS.has(operation) || WRITES.has(operation));
      if (measureCapacity && input) {
        for (const table of new Set(tablesOf(input))) {
          const use = slot(counts.dynamodb.tables, table, noUse);
          use.requests += 1;
          if (WRITES.has(operation)) use.writeRequests += 1;
        }
        const rewritten: Record<string, unknown> = { ...input };
        if (input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE') {
          rewritten.ReturnConsumedCapacity = 'TOTAL';
        }
        // A refused conditional write is billed by the existing item's size: have it returned.
        if (
          SINGLE_WRITES.has(operation) &&
          input.ConditionExpression !== undefined &&
          input.ReturnValuesOnConditionCheckFailure === undefined
        ) {
          rewritten.ReturnValuesOnConditionCheckFailure = 'ALL_OLD';
        }
        if (Object.keys(rewritten).length !== Object.keys(input).length) {
          body = Buffer.from(JSON.stringify(rewritten));
        }
      }
      const headers = {
        ...req.headers,
        host: upstream.host,
        'content-length': String(body.length),
      };
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
          agent,
        },
        async (answer) => {
          const reply = await readBody(answer);
          if (measureCapacity && (answer.statusCode ?? 500) < 300) {
            countCapacity(operation, json(reply));
          } else if (measureCapacity && input && WRITES.has(operation)) {
            const error = json(reply);
            for (const { table, units } of error
              ? failedConditionalWrites(operation, input, error)
              : []) {
              const use = slot(counts.dynamodb.tables, table, noUse);
              use.failedConditionalWrites += 1;
              use.failedWriteUnits += units;
              counts.dynamodb.failedConditionalWrites += 1;
              counts.dynamodb.failedWriteUnits += units;
            }
          }
          if (target === 'lambda') {
            const fn = slot(counts.lambda, operation, () => ({ n: 0, ms: 0 }));
            fn.n += 1;
            fn.ms += performance.now() - started;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(reply);
        },
      );
      forward.on('error', (error) => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      forward.end(body);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  return {
    interpose,
    snapshot: () => structuredClone(counts),
    reset() {
      counts = empty();
    },
    async stop() {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
      agent.destroy();
    },
  };
};
