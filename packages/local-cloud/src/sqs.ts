import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
  CreateQueueCommand,
  type QueueAttributeName,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type BuildAppOptions, buildApp } from 'fauxqs';
import * as z from 'zod';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { localCredentials } from './util';

type FauxqsStores = NonNullable<BuildAppOptions['stores']>;
type SqsStore = FauxqsStores['sqsStore'];
type SqsQueue = ReturnType<SqsStore['createQueue']>;

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
}

export interface QueueDepth {
  name: string;
  url: string;
  /** Messages a receive would return now. */
  visible: number;
  /** Received and neither deleted nor back after their visibility timeout. */
  inFlight: number;
  /** Sent with a delay that has not passed yet. */
  delayed: number;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>`: queue URLs are `<endpoint>/<accountId>/<name>`. */
  endpoint: string;
  /** An SQSClient for this endpoint (destroyed by `stop`). */
  client: SQSClient;
  /**
   * Creates the template's `AWS::SQS::Queue`s, dead-letter queues before the queues that
   * redrive to them. A queue that exists keeps its messages; its attributes follow the template.
   */
  createQueuesFromTemplate(template: Template, ctx: ResolveContext): Promise<LocalQueue[]>;
  depths(): Promise<QueueDepth[]>;
  /** Stops the server and, with a `stateFile`, saves the queues and their messages. */
  stop(): Promise<void>;
}

/** What fauxqs keeps of a message, as saved in the state file. */
const MessageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z.record(
    z.string(),
    z.object({
      DataType: z.string(),
      StringValue: z.string().optional(),
      BinaryValue: z.string().optional(),
    }),
  ),
  md5OfMessageAttributes: z.string(),
  sentTimestamp: z.number(),
  approximateReceiveCount: z.number().int().nonnegative(),
  approximateFirstReceiveTimestamp: z.number().optional(),
  delayUntil: z.number().optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});

const StateSchema = z.object({
  version: z.literal(1),
  queues: z.array(
    z.object({
      name: z.string(),
      arn: z.string(),
      attributes: z.record(z.string(), z.string()),
      tags: z.record(z.string(), z.string()),
      createdTimestamp: z.number(),
      sequenceCounter: z.number(),
      /** In-flight messages first (they become visible again), then ready, then delayed ones. */
      messages: z.array(MessageSchema),
    }),
  ),
});
type State = z.infer<typeof StateSchema>;

/** SQS actions that change queues or messages (ReceiveMessage only when it returns messages). */
const MUTATING_ACTIONS = new Set([
  'CreateQueue',
  'DeleteQueue',
  'SetQueueAttributes',
  'PurgeQueue',
  'SendMessage',
  'SendMessageBatch',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'TagQueue',
  'UntagQueue',
]);

/** What a queue's attributes fall back to when a template no longer sets them (fauxqs's defaults). */
const DEFAULT_ATTRIBUTES: Record<string, string> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
};

const NUMERIC_PROPERTIES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
] as const;

const isTrue = (value: unknown) => value === true || value === 'true';

interface DeclaredQueue {
  logicalId: string;
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  deadLetterTargetArn?: string;
}

/**
 * Maps an `AWS::SQS::Queue`'s properties to SQS attributes. Only the properties used here are
 * resolved: encryption (`KmsMasterKeyId`, `KmsDataKeyReusePeriodSeconds`, `SqsManagedSseEnabled`)
 * means nothing locally and may reference keys the local stack does not know.
 */
const declaredQueue = (
  logicalId: string,
  properties: Record<string, unknown>,
  ctx: ResolveContext,
): DeclaredQueue => {
  const prop = (key: string) =>
    properties[key] === undefined ? undefined : resolve(properties[key], ctx);
  // Without a QueueName, `Ref` (and so the local name) is the logical id (context.ts).
  const name = String(prop('QueueName') ?? logicalId);
  const attributes: Record<string, string> = {};
  for (const key of NUMERIC_PROPERTIES) {
    const value = prop(key);
    if (value !== undefined) attributes[key] = String(Number(value));
  }
  if (isTrue(prop('FifoQueue'))) {
    attributes.FifoQueue = 'true';
    attributes.ContentBasedDeduplication = isTrue(prop('ContentBasedDeduplication'))
      ? 'true'
      : 'false';
  }
  let deadLetterTargetArn: string | undefined;
  const redrive = prop('RedrivePolicy');
  if (redrive !== undefined && redrive !== null) {
    const policy = (typeof redrive === 'string' ? JSON.parse(redrive) : redrive) as {
      deadLetterTargetArn?: unknown;
      maxReceiveCount?: unknown;
    };
    if (typeof policy.deadLetterTargetArn !== 'string' || policy.maxReceiveCount === undefined) {
      throw new Error(
        `${logicalId}: RedrivePolicy needs deadLetterTargetArn and maxReceiveCount, got ${JSON.stringify(policy)}`,
      );
    }
    deadLetterTargetArn = policy.deadLetterTargetArn;
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn,
      maxReceiveCount: Number(policy.maxReceiveCount),
    });
  }
  const tags = Object.fromEntries(
    ((prop('Tags') as { Key: unknown; Value: unknown }[] | undefined) ?? []).map((t) => [
      String(t.Key),
      String(t.Value),
    ]),
  );
  return { logicalId, name, attributes, tags, deadLetterTargetArn };
};

/** Dead-letter queues first, so that a redrive policy always names a queue that exists. */
const dlqsFirst = (queues: DeclaredQueue[], arnOf: (name: string) => string): DeclaredQueue[] => {
  const byArn = new Map(queues.map((q) => [arnOf(q.name), q]));
  const ordered: DeclaredQueue[] = [];
  const visiting = new Set<DeclaredQueue>();
  const visit = (queue: DeclaredQueue) => {
    if (ordered.includes(queue)) return;
    if (visiting.has(queue)) throw new Error(`${queue.logicalId}: redrive policies form a cycle`);
    visiting.add(queue);
    const dlq = queue.deadLetterTargetArn ? byArn.get(queue.deadLetterTargetArn) : undefined;
    if (dlq) visit(dlq);
    ordered.push(queue);
  };
  for (const queue of queues) visit(queue);
  return ordered;
};

/**
 * fauxqs does not export its stores from its package entry, but `buildApp` takes them: load
 * them from the files beside the entry (the same module instances `buildApp` uses).
 */
const loadFauxqsStores = async () => {
  const entry = import.meta.resolve('fauxqs');
  const load = async <T>(file: string, name: string): Promise<T> =>
    ((await import(new URL(file, entry).href)) as Record<string, T>)[name] as T;
  return {
    SqsStore: await load<new () => SqsStore>('./sqs/sqsStore.js', 'SqsStore'),
    SnsStore: await load<new () => FauxqsStores['snsStore']>('./sns/snsStore.js', 'SnsStore'),
    S3Store: await load<new () => FauxqsStores['s3Store']>('./s3/s3Store.js', 'S3Store'),
  };
};

/** Whether a receive would return a message now (FIFO: from a group no receiver holds). */
const hasVisibleMessages = (queue: SqsQueue): boolean => {
  if (!queue.isFifo()) return queue.messages.length > 0;
  for (const [group, messages] of queue.fifoMessages) {
    if (messages.length > 0 && !queue.fifoLockedGroups.has(group)) return true;
  }
  return false;
};

/**
 * The part of fauxqs's Fastify app used here. fauxqs declares `buildApp`'s result through a
 * namespace of fastify's `export =` that does not resolve from its ESM declarations (it reads as
 * `any`), and fastify is not a dependency of this package.
 */
interface FauxqsApp {
  addHook(
    name: 'preHandler',
    hook: (request: HookRequest, reply: HookReply) => Promise<unknown>,
  ): unknown;
  addHook(
    name: 'onSend',
    hook: (
      request: HookRequest,
      reply: HookReply,
      payload: unknown,
      done: (error: Error | null, payload: unknown) => void,
    ) => void,
  ): unknown;
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}
interface HookRequest {
  raw: IncomingMessage;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}
interface HookReply {
  raw: ServerResponse;
  statusCode: number;
  hijack(): void;
  getHeader(name: string): unknown;
  header(name: string, value: string): unknown;
}

/** The query-protocol codes SQS gives with the `AWS.SimpleQueueService.` prefix (its model). */
const PREFIXED_QUERY_ERRORS = new Set([
  'BatchEntryIdsNotDistinct',
  'BatchRequestTooLong',
  'EmptyBatchRequest',
  'InvalidBatchEntryId',
  'MessageNotInflight',
  'NonExistentQueue',
  'PurgeQueueInProgress',
  'QueueDeletedRecently',
  'TooManyEntriesInBatchRequest',
  'UnsupportedOperation',
]);

/**
 * fauxqs prefixes every `x-amzn-query-error` code with `AWS.SimpleQueueService.`; SQS does so
 * only for some. The SDK names unmodeled errors (InvalidParameterValue, MissingParameter) and
 * sets every error's `Code` from this header, so give the codes SQS gives.
 */
const awsQueryError = (header: string): string => {
  const [code = '', fault = 'Sender'] = header.split(';');
  const bare = code.replace(/^AWS\.SimpleQueueService\./, '');
  if (bare === 'QueueNameExists') return `QueueAlreadyExists;${fault}`;
  return `${PREFIXED_QUERY_ERRORS.has(bare) ? `AWS.SimpleQueueService.${bare}` : bare};${fault}`;
};

/** Whether the client of a request has closed its connection (an aborted request). */
const clientGone = (request: HookRequest, reply: HookReply) =>
  reply.raw.destroyed || request.raw.socket.destroyed;

const count = (queue: SqsQueue, name: QueueAttributeName) => Number(queue.getAttribute(name));

/**
 * SQS on 127.0.0.1 with fauxqs, for the real `@aws-sdk/client-sqs` (JSON protocol). Queue URLs
 * are `http://127.0.0.1:<port>/<accountId>/<name>` and ARNs `arn:aws:sqs:<region>:<accountId>:
 * <name>`, what `Ref` and `Fn::GetAtt` give in context.ts. Beyond fauxqs:
 * - the account id is `accountId` (fauxqs writes `000000000000` into every URL and ARN);
 * - a queue URL is found by its account and name whatever host the client used;
 * - a long poll whose client went away (an aborted receive) ends without taking messages, so
 *   a stopped poller leaves no waiter behind that would hide the next message;
 * - with `stateFile`, queues and messages survive a restart (in-flight ones come back visible).
 */
export const startLocalSqs = async (options: {
  port: number;
  region: string;
  accountId: string;
  /** JSON file the queues and their messages are saved to and restored from. */
  stateFile?: string;
  /** How often changes are saved to `stateFile` (also saved on `stop`). */
  saveIntervalMs?: number;
}): Promise<LocalSqs> => {
  const { port, region, accountId, stateFile } = options;
  const endpoint = `http://127.0.0.1:${port}`;
  const urlOf = (name: string) => `${endpoint}/${accountId}/${name}`;
  const arnOf = (name: string) => `arn:aws:sqs:${region}:${accountId}:${name}`;
  /** fauxqs computes ARNs in its own account: the local one is ours. */
  const localArn = (arn: string) => {
    const parts = arn.split(':');
    return parts.length === 6 && parts[2] === 'sqs'
      ? [...parts.slice(0, 4), accountId, parts[5]].join(':')
      : arn;
  };

  const fauxqs = await loadFauxqsStores();
  class LocalSqsStore extends fauxqs.SqsStore {
    override buildQueueUrl(queueName: string): string {
      return urlOf(queueName);
    }
    override createQueue(
      name: string,
      url: string,
      arn: string,
      attributes?: Record<string, string>,
      tags?: Record<string, string>,
    ): SqsQueue {
      return super.createQueue(name, url, localArn(arn), attributes, tags);
    }
    override getQueueByArn(arn: string): SqsQueue | undefined {
      return super.getQueueByArn(localArn(arn));
    }
    /** By exact URL, else by `/<account>/<name>` (a client may say `localhost`). */
    override getQueue(url: string): SqsQueue | undefined {
      const exact = super.getQueue(url);
      if (exact) return exact;
      const match = /^https?:\/\/[^/]+\/(\d{12})\/([^/?#]+)$/.exec(url);
      const queue = match?.[2] ? this.getQueueByName(match[2]) : undefined;
      return queue && (match?.[1] === accountId || match?.[1] === '000000000000')
        ? queue
        : undefined;
    }
    override deleteQueue(url: string): boolean {
      return super.deleteQueue(this.getQueue(url)?.url ?? url);
    }
  }
  const store = new LocalSqsStore();
  // Unset: fauxqs would otherwise build `sqs.<region>.localhost` URLs.
  store.host = '';
  store.region = region;

  let dirty = false;
  let savedFingerprint = '';
  /** Message counts per queue: catches changes no request announces (a receive's redrive). */
  const fingerprint = () =>
    store
      .listQueues()
      .map(
        (q) =>
          `${q.name}:${count(q, 'ApproximateNumberOfMessages')}/${count(q, 'ApproximateNumberOfMessagesNotVisible')}/${count(q, 'ApproximateNumberOfMessagesDelayed')}`,
      )
      .join(',');

  if (stateFile && existsSync(stateFile)) {
    let state: State;
    try {
      state = StateSchema.parse(JSON.parse(await readFile(stateFile, 'utf8')));
    } catch (error) {
      throw new Error(
        `the local SQS state file ${stateFile} cannot be read (${String(error)}); delete it to start empty`,
      );
    }
    for (const saved of state.queues) {
      const queue = store.createQueue(
        saved.name,
        urlOf(saved.name),
        saved.arn,
        saved.attributes,
        saved.tags,
      );
      Object.assign(queue, {
        createdTimestamp: saved.createdTimestamp,
        sequenceCounter: saved.sequenceCounter,
      });
      for (const message of saved.messages) queue.enqueue(message);
    }
    savedFingerprint = fingerprint();
  }

  const snapshot = (): State => ({
    version: 1,
    queues: store.listQueues().map((queue) => {
      const { ready, delayed, inflight } = queue.inspectMessages();
      const returning = inflight
        .map((entry) => entry.message)
        .sort((a, b) =>
          a.sequenceNumber && b.sequenceNumber
            ? a.sequenceNumber.localeCompare(b.sequenceNumber)
            : a.sentTimestamp - b.sentTimestamp,
        );
      return {
        name: queue.name,
        arn: queue.arn,
        attributes: { ...queue.attributes },
        tags: Object.fromEntries(queue.tags),
        createdTimestamp: queue.createdTimestamp,
        sequenceCounter: queue.sequenceCounter,
        messages: [...returning, ...ready, ...delayed],
      };
    }),
  });

  let saving: Promise<void> = Promise.resolve();
  /** Writes the state file (whole, through a rename); saves run one after another. */
  const save = (file: string) => {
    saving = saving.then(async () => {
      dirty = false;
      const current = fingerprint();
      const text = JSON.stringify(snapshot());
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
        savedFingerprint = current;
      } catch (error) {
        dirty = true;
        console.error(`[local-sqs] could not save ${file}:`, error);
      }
    });
    return saving;
  };

  const app: FauxqsApp = buildApp({
    logger: false,
    defaultRegion: region,
    stores: { sqsStore: store, snsStore: new fauxqs.SnsStore(), s3Store: new fauxqs.S3Store() },
  });

  // A long poll waits here, watching its client, and reaches fauxqs only once a message is
  // visible or the wait is over (fauxqs then receives without waiting). fauxqs alone would keep
  // an aborted poll waiting and hand it the next message, which nobody reads: hidden for its
  // visibility timeout.
  app.addHook('preHandler', async (request, reply) => {
    if (request.headers['x-amz-target'] !== 'AmazonSQS.ReceiveMessage') return;
    const body = request.body as { QueueUrl?: unknown; WaitTimeSeconds?: unknown } | null;
    if (!body || typeof body.QueueUrl !== 'string') return;
    const queue = store.getQueue(body.QueueUrl);
    if (!queue) return;
    const wait = body.WaitTimeSeconds ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
    // Invalid values go on to fauxqs, which answers them as SQS does.
    if (typeof wait !== 'number' || !Number.isInteger(wait) || wait <= 0 || wait > 20) return;
    queue.processTimers();
    if (!hasVisibleMessages(queue)) {
      const waiting = queue.waitForMessages(wait);
      const waiter = queue.pollWaiters.at(-1);
      let left = clientGone(request, reply);
      const clientLeft = new Promise<void>((done) => {
        if (left) done();
        reply.raw.once('close', () => {
          left = true;
          done();
        });
      });
      await Promise.race([waiting, clientLeft]);
      // Woken by a message: first let the events already received run, a close among them (a
      // client that aborted and then sent the message that woke this poll).
      if (!left) await new Promise((done) => setImmediate(done));
      if (left || clientGone(request, reply)) {
        if (waiter && queue.pollWaiters.includes(waiter)) {
          queue.pollWaiters.splice(queue.pollWaiters.indexOf(waiter), 1);
          clearTimeout(waiter.timer);
          waiter.resolve();
        }
        reply.hijack();
        reply.raw.destroy();
        return reply;
      }
    }
    body.WaitTimeSeconds = 0;
    return undefined;
  });

  /** Makes the messages of a receive whose client left visible again at once. */
  const returnUndelivered = (body: unknown, payload: string) => {
    const url = (body as { QueueUrl?: unknown } | null)?.QueueUrl;
    const queue = typeof url === 'string' ? store.getQueue(url) : undefined;
    if (!queue) return;
    const { Messages = [] } = JSON.parse(payload) as { Messages?: { ReceiptHandle: string }[] };
    for (const { ReceiptHandle } of Messages) queue.changeVisibility(ReceiptHandle, 0);
  };

  app.addHook('onSend', (request, reply, payload, done) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const queryError = reply.getHeader('x-amzn-query-error');
    if (typeof queryError === 'string')
      reply.header('x-amzn-query-error', awsQueryError(queryError));
    if (stateFile && reply.statusCode < 400) {
      if (!target.startsWith('AmazonSQS.')) {
        // SNS publishes may deliver to queues.
        if (request.method === 'POST') dirty = true;
      } else {
        const action = target.slice('AmazonSQS.'.length);
        if (
          MUTATING_ACTIONS.has(action) ||
          (action === 'ReceiveMessage' &&
            typeof payload === 'string' &&
            payload.includes('"ReceiptHandle"'))
        ) {
          dirty = true;
        }
      }
    }
    if (
      target === 'AmazonSQS.ReceiveMessage' &&
      typeof payload === 'string' &&
      clientGone(request, reply)
    ) {
      returnUndelivered(request.body, payload);
    }
    done(null, payload);
  });

  await app.listen({ port, host: '127.0.0.1' });

  const timer = stateFile
    ? setInterval(() => {
        if (dirty || fingerprint() !== savedFingerprint) void save(stateFile);
      }, options.saveIntervalMs ?? 2000)
    : undefined;
  timer?.unref();

  const client = new SQSClient({ endpoint, region, credentials: localCredentials });

  const createQueuesFromTemplate = async (
    template: Template,
    ctx: ResolveContext,
  ): Promise<LocalQueue[]> => {
    const declared = resourcesOfType(template, 'AWS::SQS::Queue').map(({ logicalId, properties }) =>
      declaredQueue(logicalId, properties, ctx),
    );
    const created: LocalQueue[] = [];
    for (const queue of dlqsFirst(declared, arnOf)) {
      const url = urlOf(queue.name);
      const arn = arnOf(queue.name);
      const refUrl = ctx.refs[queue.logicalId];
      const refArn = ctx.attributes[`${queue.logicalId}.Arn`];
      if ((refUrl !== undefined && refUrl !== url) || (refArn !== undefined && refArn !== arn)) {
        throw new Error(
          `${queue.logicalId}: the resolve context gives ${refUrl} (${refArn}) but the local SQS serves ${url} (${arn}); build the context with endpoint ${endpoint}, region ${region} and account ${accountId}`,
        );
      }
      if (queue.deadLetterTargetArn && !store.getQueueByArn(queue.deadLetterTargetArn)) {
        throw new Error(
          `${queue.logicalId}: its dead-letter queue ${queue.deadLetterTargetArn} does not exist (create the template that declares it first)`,
        );
      }
      const existing = store.getQueueByArn(arn);
      if (!existing) {
        await client.send(
          new CreateQueueCommand({
            QueueName: queue.name,
            Attributes: queue.attributes,
            ...(Object.keys(queue.tags).length > 0 ? { tags: queue.tags } : {}),
          }),
        );
      } else {
        const fifo = queue.attributes.FifoQueue === 'true';
        if (existing.isFifo() !== fifo) {
          throw new Error(
            `${queue.logicalId}: ${queue.name} exists as a ${existing.isFifo() ? 'FIFO' : 'standard'} queue; a queue cannot change its type (delete it, or the state file, first)`,
          );
        }
        // As a stack update would: the template's attributes, defaults for those it dropped.
        const attributes: Record<string, string> = {
          ...DEFAULT_ATTRIBUTES,
          ...(existing.attributes.RedrivePolicy ? { RedrivePolicy: '' } : {}),
          ...queue.attributes,
        };
        delete attributes.FifoQueue;
        await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
      }
      created.push({ logicalId: queue.logicalId, name: queue.name, url, arn });
    }
    return created;
  };

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    client,
    createQueuesFromTemplate,
    depths: async () =>
      store
        .listQueues()
        .map((queue) => {
          // Counts are read, not computed: let expired visibility timeouts and delays pass first.
          queue.processTimers();
          return {
            name: queue.name,
            url: queue.url,
            visible: count(queue, 'ApproximateNumberOfMessages'),
            inFlight: count(queue, 'ApproximateNumberOfMessagesNotVisible'),
            delayed: count(queue, 'ApproximateNumberOfMessagesDelayed'),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    stop: () => {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
        client.destroy();
        await app.close();
        if (stateFile) await save(stateFile);
      })();
      return stopping;
    },
  };
};
