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
 * added so the capacity units are DynamoDB Local's own figures, per table.
 */

export interface TableUse {
  requests: number;
  /** PutItem, UpdateItem, DeleteItem, BatchWriteItem and TransactWriteItems requests. */
  writeRequests: number;
  readUnits: number;
  writeUnits: number;
}

export interface MeterCounts {
  /** target → operation (X-Amz-Target's operation, a function name, `PostToConnection`) → n. */
  requests: Record<string, Record<string, number>>;
  dynamodb: { readUnits: number; writeUnits: number; tables: Record<string, TableUse> };
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

const empty = (): MeterCounts => ({
  requests: {},
  dynamodb: { readUnits: 0, writeUnits: 0, tables: {} },
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
const noUse = (): TableUse => ({ requests: 0, writeRequests: 0, readUnits: 0, writeUnits: 0 });

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
        if (input.ReturnConsumedCapacity === undefined || input.ReturnConsumedCapacity === 'NONE') {
          body = Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' }));
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
