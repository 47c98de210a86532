import { setTimeout as delay } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { functionNameOf, type InvokeLambda } from './lambda';

/** An `AWS::Lambda::EventSourceMapping` that feeds a function from an SQS queue. */
export interface SqsEventSourceMapping {
  functionName: string;
  queueArn: string;
  queueUrl: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. */
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

/** One message as Lambda passes it to a function (an `SQSRecord`). */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: string[];
      binaryListValues: string[];
      dataType: string;
    }
  >;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsEventRecord[];
}

export interface EventSourceMappings {
  /** Ends the long polls at once; a batch being processed finishes (and is deleted) first. */
  stop(): Promise<void>;
  /**
   * Resolves once no batch is being gathered or processed and no mapping's queue holds a
   * message it could receive now: nothing visible, and every in-flight message is one a mapping
   * saw fail and that waits out its visibility timeout (those do not hold `idle` up). Delayed
   * messages do not count either.
   */
  idle(): Promise<void>;
  /** What `idle` waits for: the busy pollers and the queues with messages, one line each. */
  pending(): Promise<string[]>;
}

const SQS_ARN = /^arn:aws[\w-]*:sqs:([^:]+):(\d{12}):([^:]+)$/;
const LONG_POLL_SECONDS = 20;
const RETRY_AFTER_ERROR_MS = 1000;
const IDLE_CHECK_MS = 25;
const SHORT_POLL_PAUSE_MS = 50;
/**
 * A failed message is reckoned visible again this long before its visibility timeout ends,
 * counted from when its receive answered: the server's clock started a little earlier.
 */
const VISIBILITY_MARGIN_MS = 250;

const isTrue = (value: unknown, fallback: boolean) =>
  value === undefined ? fallback : value === true || value === 'true';

/** `QueueUrl` of the queue with this ARN in the context, or one built from the context's endpoint. */
const queueUrlOf = (arn: string, ctx: ResolveContext, sqsEndpoint?: string): string => {
  let endpoint = sqsEndpoint;
  for (const [key, value] of Object.entries(ctx.attributes)) {
    if (key.endsWith('.Arn') && value === arn) {
      const url = ctx.attributes[`${key.slice(0, -'.Arn'.length)}.QueueUrl`];
      if (url) return url;
    }
    if (!endpoint && key.endsWith('.QueueUrl')) endpoint = value.replace(/\/\d{12}\/[^/]+$/, '');
  }
  const [, , account, name] = SQS_ARN.exec(arn) ?? [];
  if (!endpoint) {
    throw new Error(
      `no local SQS endpoint is known for ${arn}: pass it to mappingsFromTemplate (its queue is in no template of the context)`,
    );
  }
  return `${endpoint}/${account}/${name}`;
};

/**
 * The template's event source mappings whose source is an SQS queue, with Lambda's defaults
 * (batch of 10, no batching window, enabled). `FunctionName` may be a name or an ARN (serverless
 * writes `Fn::GetAtt: [XLambdaFunction, Arn]`). The queue URL is the one the context gives the
 * queue, else `<sqsEndpoint>/<account>/<name>` (the endpoint defaults to the context's queues').
 */
export const mappingsFromTemplate = (
  template: Template,
  ctx: ResolveContext,
  sqsEndpoint?: string,
): SqsEventSourceMapping[] =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(
    ({ logicalId, properties }) => {
      const prop = (key: string) =>
        properties[key] === undefined ? undefined : resolve(properties[key], ctx);
      let queueArn: string;
      let functionName: string;
      try {
        queueArn = String(prop('EventSourceArn'));
        if (!SQS_ARN.test(queueArn)) return [];
        functionName = functionNameOf(String(prop('FunctionName')));
      } catch (error) {
        throw new Error(`${logicalId}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const types = prop('FunctionResponseTypes');
      return [
        {
          functionName,
          queueArn,
          queueUrl: queueUrlOf(queueArn, ctx, sqsEndpoint),
          batchSize: Number(prop('BatchSize') ?? 10),
          maximumBatchingWindowInSeconds: Number(prop('MaximumBatchingWindowInSeconds') ?? 0),
          reportBatchItemFailures:
            Array.isArray(types) && types.includes('ReportBatchItemFailures'),
          enabled: isTrue(prop('Enabled'), true),
        },
      ];
    },
  );

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** The system attributes Lambda passes, in its order. */
const RECORD_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SequenceNumber',
  'MessageGroupId',
  'SenderId',
  'MessageDeduplicationId',
  'ApproximateFirstReceiveTimestamp',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const recordOf = (message: Message, mapping: SqsEventSourceMapping): SqsEventRecord => {
  const system = (message.Attributes ?? {}) as Record<string, string | undefined>;
  const attributes: Record<string, string> = {};
  for (const name of RECORD_ATTRIBUTES) {
    const value = system[name];
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes: SqsEventRecord['messageAttributes'] = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map(base64),
      dataType: value.DataType ?? 'String',
    };
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes
      ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
      : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: mapping.queueArn,
    awsRegion: SQS_ARN.exec(mapping.queueArn)?.[1] ?? '',
  };
};

/**
 * The message ids a `ReportBatchItemFailures` response reports failed, or why the whole batch
 * failed. As Lambda: no response, `{}` or an empty or null `batchItemFailures` is success; a
 * response that is not an object, or an `itemIdentifier` that is missing, empty or not a
 * message of the batch, fails the whole batch.
 */
export const reportedFailures = (payload: unknown, batch: Set<string>): Set<string> | string => {
  if (payload === null || payload === undefined || payload === '') return new Set();
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return 'the response is not a batch item failures object';
  }
  const items = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return new Set();
  if (!Array.isArray(items)) return 'batchItemFailures is not a list';
  const failed = new Set<string>();
  for (const item of items) {
    const id =
      item !== null && typeof item === 'object'
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    if (typeof id !== 'string' || !batch.has(id)) {
      return `itemIdentifier ${JSON.stringify(id) ?? 'undefined'} is not a message of the batch`;
    }
    failed.add(id);
  }
  return failed;
};

interface Received {
  message: Message;
  /** When the receive that returned it answered. */
  receivedAt: number;
}

/**
 * Polls each enabled mapping's queue as Lambda does and invokes its function with the batches:
 * a long poll, then up to `batchSize` messages gathered within the batching window. After the
 * invocation: success deletes the batch (less the reported failures with
 * `ReportBatchItemFailures`); a function error or a failed invoke deletes nothing, so the
 * messages come back after their visibility timeout and reach the dead-letter queue through
 * the queue's redrive policy. One batch at a time per mapping.
 */
export const startEventSourceMappings = (options: {
  sqs: SQSClient;
  mappings: SqsEventSourceMapping[];
  invoke: InvokeLambda;
  log?: (line: string) => void;
}): EventSourceMappings => {
  const { sqs, invoke } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const stopping = new AbortController();
  const { signal } = stopping;

  const workers = options.mappings
    .filter((mapping) => mapping.enabled)
    .map((mapping) => ({
      mapping,
      label: `[sqs ${mapping.queueArn.split(':').pop()} → ${mapping.functionName}]`,
      busy: false,
      /** Messages whose processing failed, by id: when their receive answered. */
      failed: new Map<string, number>(),
    }));
  type Worker = (typeof workers)[number];

  const receive = async (worker: Worker, max: number, waitSeconds: number) => {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: worker.mapping.queueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    const receivedAt = Date.now();
    return (result.Messages ?? []).map((message): Received => {
      worker.failed.delete(message.MessageId ?? '');
      return { message, receivedAt };
    });
  };

  /** Adds to the batch until it is full or the batching window has passed. */
  const gather = async (worker: Worker, batch: Received[]) => {
    const { batchSize, maximumBatchingWindowInSeconds } = worker.mapping;
    const deadline = Date.now() + maximumBatchingWindowInSeconds * 1000;
    while (batch.length < batchSize && !signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // Long polls in whole seconds while they fit in the window, then short polls: a poll is
      // never cut off, so no message is received by a request nobody reads.
      const wait = Math.min(LONG_POLL_SECONDS, Math.floor(remaining / 1000));
      const more = await receive(worker, batchSize - batch.length, wait);
      batch.push(...more);
      if (wait === 0 && more.length === 0) {
        await delay(Math.min(remaining, SHORT_POLL_PAUSE_MS), undefined, { signal }).catch(
          () => undefined,
        );
      }
    }
  };

  const deleteMessages = async (worker: Worker, messages: Received[]) => {
    for (let i = 0; i < messages.length; i += 10) {
      const chunk = messages.slice(i, i + 10);
      const result = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: worker.mapping.queueUrl,
          Entries: chunk.map(({ message }, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      for (const failure of result.Failed ?? []) {
        log(`${worker.label} could not delete a message: ${failure.Code} ${failure.Message}`);
      }
    }
  };

  /** Puts a gathered batch back at once (stopping before it was processed). */
  const release = async (worker: Worker, batch: Received[]) => {
    for (let i = 0; i < batch.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: worker.mapping.queueUrl,
          Entries: batch.slice(i, i + 10).map(({ message }, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  };

  const processBatch = async (worker: Worker, batch: Received[]) => {
    const { mapping } = worker;
    const event: SqsEvent = { Records: batch.map(({ message }) => recordOf(message, mapping)) };
    let failed: Set<string> | 'all';
    try {
      const result = await invoke(mapping.functionName, event);
      if (result.functionError) {
        log(`${worker.label} failed (${result.functionError}): ${JSON.stringify(result.payload)}`);
        failed = 'all';
      } else if (mapping.reportBatchItemFailures) {
        const reported = reportedFailures(
          result.payload,
          new Set(event.Records.map((r) => r.messageId)),
        );
        if (typeof reported === 'string') {
          log(`${worker.label} the whole batch failed: ${reported}`);
          failed = 'all';
        } else {
          failed = reported;
        }
      } else {
        failed = new Set();
      }
    } catch (error) {
      log(`${worker.label} could not be invoked: ${String(error)}`);
      failed = 'all';
    }
    const hasFailed = (r: Received) => failed === 'all' || failed.has(r.message.MessageId ?? '');
    for (const r of batch.filter(hasFailed)) {
      worker.failed.set(r.message.MessageId ?? '', r.receivedAt);
    }
    await deleteMessages(
      worker,
      batch.filter((r) => !hasFailed(r)),
    );
  };

  const run = async (worker: Worker) => {
    while (!signal.aborted) {
      try {
        const batch = await receive(
          worker,
          Math.min(10, worker.mapping.batchSize),
          LONG_POLL_SECONDS,
        );
        if (batch.length === 0) continue;
        worker.busy = true;
        try {
          await gather(worker, batch).catch((error: unknown) => {
            // What was gathered is processed; a receive that failed mid-window ends the window.
            if (!signal.aborted) log(`${worker.label} receive failed: ${String(error)}`);
          });
          if (signal.aborted) {
            await release(worker, batch);
            return;
          }
          await processBatch(worker, batch);
        } finally {
          worker.busy = false;
        }
      } catch (error) {
        if (signal.aborted) return;
        log(`${worker.label} ${String(error)}`);
        await delay(RETRY_AFTER_ERROR_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  };

  const running = workers.map(run);

  /** Each polled queue's message counts and visibility timeout. */
  const queueCounts = () =>
    Promise.all(
      [...new Set(workers.map((w) => w.mapping.queueUrl))].map(async (url) => {
        const { Attributes = {} } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: url,
            AttributeNames: [
              'ApproximateNumberOfMessages',
              'ApproximateNumberOfMessagesNotVisible',
              'VisibilityTimeout',
            ],
          }),
        );
        return { url, attributes: Attributes };
      }),
    );

  const isIdle = async (): Promise<boolean> => {
    const counts = await queueCounts();
    // Read after the counts: a batch a long poll took shows in-flight there until it is deleted.
    if (workers.some((w) => w.busy)) return false;
    const now = Date.now();
    return counts.every(({ url, attributes }) => {
      const visibilityMs = Number(attributes.VisibilityTimeout ?? 30) * 1000;
      let waiting = 0;
      for (const worker of workers.filter((w) => w.mapping.queueUrl === url)) {
        for (const [id, receivedAt] of worker.failed) {
          if (receivedAt + visibilityMs - VISIBILITY_MARGIN_MS <= now) worker.failed.delete(id);
          else waiting++;
        }
      }
      return (
        Number(attributes.ApproximateNumberOfMessages ?? 0) === 0 &&
        Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) <= waiting
      );
    });
  };

  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await Promise.all(running);
      })();
      return stopped;
    },
    pending: async () => {
      const lines = workers
        .filter((w) => w.busy)
        .map((w) => `queue poller ${w.mapping.queueUrl}: busy`);
      for (const { url, attributes } of await queueCounts()) {
        const failed = workers
          .filter((w) => w.mapping.queueUrl === url)
          .reduce((n, w) => n + w.failed.size, 0);
        lines.push(
          `queue ${url}: visible ${attributes.ApproximateNumberOfMessages}, in flight ` +
            `${attributes.ApproximateNumberOfMessagesNotVisible}, failed and waiting ${failed}`,
        );
      }
      return lines;
    },
    idle: async () => {
      while (!signal.aborted && workers.length > 0) {
        if (await isIdle()) return;
        await delay(IDLE_CHECK_MS);
      }
    },
  };
};
