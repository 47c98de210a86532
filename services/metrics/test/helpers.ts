import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  buildEventEntry,
  type DetailInputOf,
  type DetailType,
  eventSource,
  type MetricsResponse,
  MetricsResponseSchema,
} from '@espresso/schemas';
import { startTestStack, type TestStack, until as waitUntil } from '@espresso/test-support';
import { expect } from 'chai';
import { after } from 'mocha';

/*
 * What the metrics service's integration tests share: one local stack (config, orders,
 * metrics) for every test file, started on first use and stopped after the run, with the
 * services' log lines kept so tests can read what the consumer reported.
 */

export { sleep } from '@espresso/test-support';

/** Polls `probe` until it answers something; fails naming `what` after `timeoutMs`. */
export const until = <T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> => waitUntil(what, probe, timeoutMs, 100);

export interface MetricsStack {
  stack: TestStack;
  /** Every log line of the stack's services so far (`[metrics] …`). */
  logs: string[];
  bus: EventBridgeClient;
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  busName: string;
}

let shared: Promise<MetricsStack> | undefined;

/** The run's stack, started once. */
export const metricsStack = (): Promise<MetricsStack> => {
  shared ??= (async () => {
    const logs: string[] = [];
    const stack = await startTestStack(['config', 'orders', 'metrics'], {
      log: (line) => logs.push(line),
    });
    const { aws } = stack.endpoints;
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const sqs = new SQSClient({ endpoint: aws.sqs, region: aws.region, credentials });
    const bus = new EventBridgeClient({ endpoint: aws.events, region: aws.region, credentials });
    const url = async (name: string) =>
      (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
    return {
      stack,
      logs,
      bus,
      sqs,
      queueUrl: await url(`espresso-metrics-${stack.stage}-endings`),
      dlqUrl: await url(`espresso-metrics-${stack.stage}-endings-dlq`),
      busName: `espresso-config-${stack.stage}-bus`,
    };
  })();
  return shared;
};

after(async () => {
  if (!shared) return;
  const { stack, sqs, bus } = await shared;
  sqs.destroy();
  bus.destroy();
  await stack.stop();
});

let run = 0;
const prefix = `m${Date.now().toString(36)}`;
/** A shop id no other test uses. */
export const newShopId = () => `${prefix}-${++run}`;

/** An order ending's detail, complete, at `at`. */
export const completed = (
  shopId: string,
  at: string,
  overrides: Partial<DetailInputOf<'OrderManager.OrderCompleted'>> = {},
): DetailInputOf<'OrderManager.OrderCompleted'> => {
  const t = Date.parse(at);
  return {
    version: 1,
    shopId,
    orderId: randomUUID(),
    customerId: 'customer-1',
    at,
    baristaId: 'barista-1',
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    orderNumber: 1,
    createdAt: new Date(t - 300_000).toISOString(),
    submittedAt: new Date(t - 240_000).toISOString(),
    claimedAt: new Date(t - 60_000).toISOString(),
    ...overrides,
  };
};

/** An EventBridge event as the rule puts it on the queue. */
export const envelope = <T extends DetailType>(
  detailType: T,
  detail: DetailInputOf<T>,
  id: string = randomUUID(),
) => ({
  version: '0',
  id,
  'detail-type': detailType,
  source: eventSource(detailType),
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail,
});

/** Puts events on the bus (PutEvents, 10 a call), checked against their schemas. */
export const putEvents = async (
  m: MetricsStack,
  events: { type: DetailType; detail: Record<string, unknown> }[],
) => {
  for (let i = 0; i < events.length; i += 10) {
    const result = await m.bus.send(
      new PutEventsCommand({
        Entries: events
          .slice(i, i + 10)
          .map((e) => buildEventEntry(e.type, e.detail as never, m.busName)),
      }),
    );
    expect(result.FailedEntryCount ?? 0).to.equal(0);
  }
};

/** Sends message bodies straight to the endings queue, 10 a call. */
export const sendToQueue = async (m: MetricsStack, bodies: string[]) => {
  for (let i = 0; i < bodies.length; i += 10) {
    const result = await m.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: m.queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
    expect(result.Failed ?? []).to.deep.equal([]);
  }
};

/** The metrics API's answer for a shop (as an admin of the shop), checked against its schema. */
export const getMetrics = async (
  m: MetricsStack,
  shopId: string,
  from: string,
  to = from,
): Promise<MetricsResponse> => {
  const token = await m.stack.token({ role: 'admin', shopId });
  const res = await m.stack.call(
    'metrics',
    'GET',
    `/shops/${shopId}/metrics?from=${from}&to=${to}`,
    {
      token,
    },
  );
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return MetricsResponseSchema.parse(res.body);
};

/** The consumer's `batch counted` log records so far. */
export const batchReports = (m: MetricsStack) =>
  m.logs
    .map((line) => /\{.*"message":"batch counted".*\}/.exec(line)?.[0])
    .filter((json): json is string => json !== undefined)
    .map(
      (json) =>
        JSON.parse(json) as {
          messages: number;
          applied: number;
          duplicates: number;
          failed: number;
          writeRequests: number;
        },
    );

/** Messages in the dead-letter queue now (received and left there), with their receive counts. */
export const dlqMessages = async (m: MetricsStack) => {
  const result = await m.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: m.dlqUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }),
  );
  return result.Messages ?? [];
};
