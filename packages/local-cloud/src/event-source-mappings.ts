import { setTimeout as delay } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { functionNameOf, type InvokeLambda } from './lambda';
import { startPollLoops } from './poll-loops';
import { SQS_ARN } from './sqs-lambda-event';
import { SqsQueuePoller } from './sqs-queue-poller';

export {
  reportedFailures,
  type SqsEvent,
  type SqsEventRecord,
} from './sqs-lambda-event';

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

const IDLE_CHECK_MS = 25;
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

/** Each polled queue's message counts and visibility timeout. */
const queueCounts = (sqs: SQSClient, pollers: SqsQueuePoller[]) =>
  Promise.all(
    [...new Set(pollers.map((p) => p.mapping.queueUrl))].map(async (url) => {
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
type QueueCounts = Awaited<ReturnType<typeof queueCounts>>[number];

/**
 * How many of the queue's in-flight messages failed and wait out their visibility timeout
 * (forgetting those whose timeout has passed).
 */
const failedAndWaiting = (pollers: SqsQueuePoller[], { url, attributes }: QueueCounts) => {
  const visibilityMs = Number(attributes.VisibilityTimeout ?? 30) * 1000;
  const now = Date.now();
  let waiting = 0;
  for (const poller of pollers.filter((p) => p.mapping.queueUrl === url)) {
    for (const [id, receivedAt] of poller.failed) {
      if (receivedAt + visibilityMs - VISIBILITY_MARGIN_MS <= now) poller.failed.delete(id);
      else waiting++;
    }
  }
  return waiting;
};

const isIdle = async (sqs: SQSClient, pollers: SqsQueuePoller[]): Promise<boolean> => {
  const counts = await queueCounts(sqs, pollers);
  // Read after the counts: a batch a long poll took shows in-flight there until it is deleted.
  if (pollers.some((p) => p.busy)) return false;
  return counts.every(
    (queue) =>
      Number(queue.attributes.ApproximateNumberOfMessages ?? 0) === 0 &&
      Number(queue.attributes.ApproximateNumberOfMessagesNotVisible ?? 0) <=
        failedAndWaiting(pollers, queue),
  );
};

const pendingLines = async (sqs: SQSClient, pollers: SqsQueuePoller[]): Promise<string[]> => {
  const lines = pollers
    .filter((p) => p.busy)
    .map((p) => `queue poller ${p.mapping.queueUrl}: busy`);
  for (const { url, attributes } of await queueCounts(sqs, pollers)) {
    const failed = pollers
      .filter((p) => p.mapping.queueUrl === url)
      .reduce((n, p) => n + p.failed.size, 0);
    lines.push(
      `queue ${url}: visible ${attributes.ApproximateNumberOfMessages}, in flight ` +
        `${attributes.ApproximateNumberOfMessagesNotVisible}, failed and waiting ${failed}`,
    );
  }
  return lines;
};

/**
 * Polls each enabled mapping's queue as Lambda does and invokes its function with the batches
 * (see `SqsQueuePoller`): one batch at a time per mapping.
 */
export const startEventSourceMappings = (options: {
  sqs: SQSClient;
  mappings: SqsEventSourceMapping[];
  invoke: InvokeLambda;
  log?: (line: string) => void;
}): EventSourceMappings => {
  const { sqs, invoke } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const pollers = options.mappings
    .filter((mapping) => mapping.enabled)
    .map((mapping) => new SqsQueuePoller(mapping, sqs, invoke, log));
  const loops = startPollLoops(pollers, (poller, l) => poller.pollUntilStopped(l));
  return {
    stop: loops.stop,
    pending: () => pendingLines(sqs, pollers),
    idle: async () => {
      while (!loops.signal.aborted && pollers.length > 0) {
        if (await isIdle(sqs, pollers)) return;
        await delay(IDLE_CHECK_MS);
      }
    },
  };
};
