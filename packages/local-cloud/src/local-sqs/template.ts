import { CreateQueueCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ResolveContext, resolve, resourcesOfType, type Template } from '../cloudformation';
import { DEFAULT_ATTRIBUTES } from './queue';
import type { QueueStore } from './store';

export interface LocalQueue {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
}

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

/** Refuses a resolve context whose `Ref`/`Fn::GetAtt` of the queue are not where it is served. */
const checkContext = (store: QueueStore, queue: DeclaredQueue, ctx: ResolveContext) => {
  const url = store.urlOf(queue.name);
  const arn = store.arnOf(queue.name);
  const refUrl = ctx.refs[queue.logicalId];
  const refArn = ctx.attributes[`${queue.logicalId}.Arn`];
  if ((refUrl !== undefined && refUrl !== url) || (refArn !== undefined && refArn !== arn)) {
    throw new Error(
      `${queue.logicalId}: the resolve context gives ${refUrl} (${refArn}) but the local SQS serves ${url} (${arn}); build the context with endpoint ${store.endpoint}, region ${store.region} and account ${store.accountId}`,
    );
  }
  if (queue.deadLetterTargetArn && !store.byArn(queue.deadLetterTargetArn)) {
    throw new Error(
      `${queue.logicalId}: its dead-letter queue ${queue.deadLetterTargetArn} does not exist (create the template that declares it first)`,
    );
  }
};

/** As a stack update would: the template's attributes, defaults for those it dropped. */
const updateQueue = async (store: QueueStore, client: SQSClient, queue: DeclaredQueue) => {
  const existing = store.byName(queue.name);
  if (!existing) return;
  const fifo = queue.attributes.FifoQueue === 'true';
  if (existing.isFifo() !== fifo) {
    throw new Error(
      `${queue.logicalId}: ${queue.name} exists as a ${existing.isFifo() ? 'FIFO' : 'standard'} queue; a queue cannot change its type (delete it, or the state file, first)`,
    );
  }
  const attributes: Record<string, string> = {
    ...DEFAULT_ATTRIBUTES,
    ...(existing.attributes.RedrivePolicy ? { RedrivePolicy: '' } : {}),
    ...queue.attributes,
  };
  delete attributes.FifoQueue;
  await client.send(
    new SetQueueAttributesCommand({ QueueUrl: store.urlOf(queue.name), Attributes: attributes }),
  );
};

const createQueue = async (client: SQSClient, queue: DeclaredQueue) => {
  await client.send(
    new CreateQueueCommand({
      QueueName: queue.name,
      Attributes: queue.attributes,
      ...(Object.keys(queue.tags).length > 0 ? { tags: queue.tags } : {}),
    }),
  );
};

/**
 * Creates the template's `AWS::SQS::Queue`s, dead-letter queues before the queues that
 * redrive to them. A queue that exists keeps its messages; its attributes follow the template.
 */
export const createQueuesFromTemplate = async (
  store: QueueStore,
  client: SQSClient,
  template: Template,
  ctx: ResolveContext,
): Promise<LocalQueue[]> => {
  const declared = resourcesOfType(template, 'AWS::SQS::Queue').map(({ logicalId, properties }) =>
    declaredQueue(logicalId, properties, ctx),
  );
  const created: LocalQueue[] = [];
  for (const queue of dlqsFirst(declared, (name) => store.arnOf(name))) {
    checkContext(store, queue, ctx);
    if (store.byName(queue.name)) await updateQueue(store, client, queue);
    else await createQueue(client, queue);
    const { logicalId, name } = queue;
    created.push({ logicalId, name, url: store.urlOf(name), arn: store.arnOf(name) });
  }
  return created;
};
