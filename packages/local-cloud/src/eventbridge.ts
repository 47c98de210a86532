import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './local-http-server';

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  /** Local only: the bus it was put on. */
  eventBusName: string;
}

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
const KEPT_EVENTS = 5000;

class ClientError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface LocalEventBridge {
  endpoint: string;
  /** Events accepted so far (the newest `KEPT_EVENTS`), oldest first. */
  events(): BusEvent[];
  /** Called with every accepted event, in order. */
  subscribe(listener: (event: BusEvent) => void): () => void;
  stop(): Promise<void>;
}

/**
 * EventBridge's `PutEvents` over its JSON 1.1 wire protocol, so the AWS SDK's EventBridgeClient
 * works by endpoint alone. Entries are validated as AWS does (fields, JSON object detail,
 * existing bus, sizes); accepted events are kept, served at `GET /_local/events`, and passed to
 * subscribers (the rules, once the local cloud routes them).
 */
export const startLocalEventBridge = async (options: {
  port: number;
  region: string;
  accountId: string;
  buses: string[];
}): Promise<LocalEventBridge> => {
  // Every account has the `default` bus.
  const buses = new Set(['default', ...options.buses]);
  const kept: BusEvent[] = [];
  const listeners = new Set<(event: BusEvent) => void>();

  const busName = (value: unknown): string => {
    if (value === undefined || value === null || value === '') return 'default';
    const text = String(value);
    const arn = /^arn:aws:events:[^:]+:\d{12}:event-bus\/(.+)$/.exec(text);
    return arn?.[1] ?? text;
  };

  const accept = (entry: PutEventsEntry): EntryResult => {
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '') {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
        };
      }
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const bus = busName(entry.EventBusName);
    if (!buses.has(bus)) {
      return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: options.accountId,
      time: new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : Date.now())
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: options.region,
      resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
      detail: detail as Record<string, unknown>,
      eventBusName: bus,
    };
    kept.push(event);
    if (kept.length > KEPT_EVENTS) kept.shift();
    // A failing subscriber (a rule's target) must not fail the put: AWS accepted the event.
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error(`[local-eventbridge] subscriber failed for ${event['detail-type']}:`, error);
      }
    }
    return { EventId: event.id };
  };

  const putEvents = (input: { Entries?: unknown }) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new ClientError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    const results = (entries as PutEventsEntry[]).map(accept);
    return {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    };
  };

  const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/_local/events') {
      const detailType = url.searchParams.get('detail-type');
      return reply(res, 200, {
        events: kept.filter((e) => !detailType || e['detail-type'] === detailType),
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES) {
        return reply(
          res,
          413,
          {
            __type: 'ValidationException',
            message: 'Total size of the entries in the request is over the limit.',
          },
          'ValidationException',
        );
      }
      chunks.push(chunk as Buffer);
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      switch (target) {
        case 'AWSEvents.PutEvents':
          return reply(res, 200, putEvents(input));
        case 'AWSEvents.ListEventBuses':
          return reply(res, 200, {
            EventBuses: [...buses].map((Name) => ({
              Name,
              Arn: `arn:aws:events:${options.region}:${options.accountId}:event-bus/${Name}`,
            })),
          });
        default:
          throw new ClientError('UnknownOperationException', `${target} is not supported locally`);
      }
    } catch (error) {
      if (error instanceof ClientError) {
        return reply(res, 400, { __type: error.type, message: error.message }, error.type);
      }
      if (error instanceof SyntaxError) {
        return reply(
          res,
          400,
          { __type: 'SerializationException', message: 'invalid JSON' },
          'SerializationException',
        );
      }
      return reply(
        res,
        500,
        { __type: 'InternalException', message: String(error) },
        'InternalException',
      );
    }
  };

  const http = await listenOnLoopback(options.port, handle);
  return {
    endpoint: http.endpoint,
    events: () => [...kept],
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: http.stop,
  };
};
