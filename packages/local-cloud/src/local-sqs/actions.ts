import { invalidParameter, missingParameter, queueDoesNotExist, SqsError } from './errors';
import {
  contentBasedDeduplicationId,
  type MessageAttribute,
  md5OfMessageAttributes,
  messageSize,
  newMessage,
  type StoredMessage,
} from './messages';
import { ALL_ATTRIBUTE_NAMES, type InFlight, type Queue, SETTABLE_ATTRIBUTES } from './queue';
import type { QueueStore } from './store';

/** A request's JSON body. */
export type Body = Record<string, unknown>;
type Entry = Record<string, unknown> & { Id: string };

const SETTABLE = new Set(SETTABLE_ATTRIBUTES);

const ATTRIBUTE_RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MaximumMessageSize: [1_024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
};

const VALID_BATCH_ENTRY_ID = /^[a-zA-Z0-9_-]{1,80}$/;
/** Characters SQS accepts in a body: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD. */
const INVALID_BODY_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD]/;
const MAX_BATCH_BYTES = 1_048_576;

const stringOf = (body: Body, name: string): string | undefined =>
  typeof body[name] === 'string' ? (body[name] as string) : undefined;
const numberOf = (body: Body, name: string): number | undefined =>
  typeof body[name] === 'number' ? (body[name] as number) : undefined;
const recordOf = <T>(body: Body, name: string): Record<string, T> =>
  (body[name] as Record<string, T> | undefined) ?? {};

export const queueOf = (store: QueueStore, body: Body): Queue => {
  const url = stringOf(body, 'QueueUrl');
  if (!url) throw invalidParameter('QueueUrl is required');
  const queue = store.byUrl(url);
  if (!queue) throw queueDoesNotExist();
  return queue;
};

const checkAttributeRanges = (attributes: Record<string, string>) => {
  for (const [name, [min, max]] of Object.entries(ATTRIBUTE_RANGES)) {
    if (!(name in attributes)) continue;
    const value = Number(attributes[name]);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new SqsError(
        'InvalidAttributeValue',
        `Invalid value for the parameter ${name}. Reason: Must be between ${min} and ${max}.`,
      );
    }
  }
};

const checkVisibilityTimeout = (seconds: number | undefined) => {
  if (seconds !== undefined && (seconds < 0 || seconds > 43_200)) {
    throw invalidParameter(
      `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
    );
  }
};

/** A batch's entries, once their count and ids are valid. */
const batchEntries = (body: Body): Entry[] => {
  const entries = (body.Entries as Entry[] | undefined) ?? [];
  if (entries.length === 0) {
    throw new SqsError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
  }
  if (entries.length > 10) {
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      'Maximum number of entries per request are 10.',
    );
  }
  const ids = new Set<string>();
  for (const { Id } of entries) {
    if (!VALID_BATCH_ENTRY_ID.test(Id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(Id)) {
      throw new SqsError(
        'BatchEntryIdsNotDistinct',
        'Two or more batch entries in the request have the same Id.',
      );
    }
    ids.add(Id);
  }
  return entries;
};

/** Runs `each` on every entry; an `SqsError` fails that entry alone. */
const eachEntry = <T>(entries: Entry[], each: (entry: Entry) => T) => {
  const Successful: (T & { Id: string })[] = [];
  const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
  for (const entry of entries) {
    try {
      Successful.push({ ...each(entry), Id: entry.Id });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
    }
  }
  return { Successful, Failed };
};

const createQueue = (store: QueueStore, body: Body) => {
  const name = stringOf(body, 'QueueName');
  if (!name) throw invalidParameter('Queue name is required');
  const attributes = { ...recordOf<string>(body, 'Attributes') };
  if (name.endsWith('.fifo')) attributes.FifoQueue = 'true';
  else if (attributes.FifoQueue === 'true') {
    throw invalidParameter(
      'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix.',
    );
  }
  if (attributes.FifoQueue === 'true') {
    attributes.ContentBasedDeduplication ??= 'false';
    attributes.DeduplicationScope ??= 'queue';
    attributes.FifoThroughputLimit ??= 'perQueue';
  }
  checkAttributeRanges(attributes);
  const existing = store.byName(name);
  if (existing) {
    for (const [key, value] of Object.entries(attributes)) {
      if (SETTABLE.has(key) && existing.attributes[key] !== value) {
        throw new SqsError(
          'QueueNameExists',
          `A queue already exists with the same name and a different value for attribute ${key}`,
          'QueueAlreadyExists',
        );
      }
    }
    return { QueueUrl: store.urlOf(name) };
  }
  store.create(name, attributes, recordOf<string>(body, 'tags'));
  return { QueueUrl: store.urlOf(name) };
};

const getQueueUrl = (store: QueueStore, body: Body) => {
  const name = stringOf(body, 'QueueName');
  if (!name) throw invalidParameter('QueueName is required');
  if (!store.byName(name)) throw queueDoesNotExist();
  return { QueueUrl: store.urlOf(name) };
};

const listQueues = (store: QueueStore, body: Body) => {
  const prefix = stringOf(body, 'QueueNamePrefix') ?? '';
  const names = store
    .list()
    .map((q) => q.name)
    .filter((name) => name.startsWith(prefix))
    .slice(0, numberOf(body, 'MaxResults') ?? 1000);
  return { QueueUrls: names.map((name) => store.urlOf(name)) };
};

const getQueueAttributes = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  const requested = (body.AttributeNames as string[] | undefined) ?? ['All'];
  const names = requested.includes('All') ? ALL_ATTRIBUTE_NAMES : requested;
  const Attributes: Record<string, string> = {};
  for (const name of names) {
    const value = queue.attribute(name);
    if (value !== undefined) Attributes[name] = value;
  }
  return { Attributes };
};

const setQueueAttributes = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  const attributes = recordOf<string>(body, 'Attributes');
  for (const key of Object.keys(attributes)) {
    if (!SETTABLE.has(key)) {
      throw new SqsError('InvalidAttributeName', `Unknown attribute: ${key}`);
    }
  }
  checkAttributeRanges(attributes);
  if (attributes.FifoQueue !== undefined && attributes.FifoQueue !== queue.attributes.FifoQueue) {
    throw new SqsError(
      'InvalidAttributeValue',
      'Invalid value for the parameter FifoQueue. You cannot change the FifoQueue attribute of an existing queue.',
    );
  }
  queue.setAttributes(attributes);
  return {};
};

/** Checks a message and builds it; FIFO: its group, deduplication and sequence number. */
const messageFor = (queue: Queue, entry: Body): StoredMessage | { duplicateOf: StoredMessage } => {
  const body = stringOf(entry, 'MessageBody');
  if (!body) throw missingParameter('MessageBody');
  if (INVALID_BODY_CHARACTER.test(body)) {
    throw new SqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF and #xE000 to #xFFFD.',
    );
  }
  const attributes = recordOf<MessageAttribute>(entry, 'MessageAttributes');
  const maxSize = Number(queue.attributes.MaximumMessageSize);
  if (messageSize(body, attributes) > maxSize) {
    throw invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }
  const delaySeconds = numberOf(entry, 'DelaySeconds');
  if (!queue.isFifo()) {
    return newMessage(body, attributes, {
      delaySeconds: delaySeconds ?? Number(queue.attributes.DelaySeconds),
    });
  }
  return fifoMessageFor(queue, entry, body, attributes);
};

const fifoMessageFor = (
  queue: Queue,
  entry: Body,
  body: string,
  attributes: Record<string, MessageAttribute>,
): StoredMessage | { duplicateOf: StoredMessage } => {
  const messageGroupId = stringOf(entry, 'MessageGroupId');
  if (!messageGroupId) throw missingParameter('MessageGroupId');
  const delaySeconds = numberOf(entry, 'DelaySeconds');
  if (delaySeconds !== undefined && delaySeconds !== 0) {
    throw invalidParameter(
      `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  let deduplicationId = stringOf(entry, 'MessageDeduplicationId');
  if (!deduplicationId && queue.attributes.ContentBasedDeduplication === 'true') {
    deduplicationId = contentBasedDeduplicationId(body);
  }
  if (!deduplicationId) {
    throw invalidParameter(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly.',
    );
  }
  const message = newMessage(body, attributes, {
    delaySeconds: Number(queue.attributes.DelaySeconds),
    messageGroupId,
    messageDeduplicationId: deduplicationId,
  });
  const duplicate = queue.duplicateOf(deduplicationId);
  if (duplicate) {
    const { messageId, sequenceNumber } = duplicate;
    return { duplicateOf: { ...message, messageId, sequenceNumber } };
  }
  queue.sequence(message, deduplicationId);
  return message;
};

/** Sends one message (a duplicate FIFO message answers as the original, sending nothing). */
const send = (queue: Queue, entry: Body) => {
  const built = messageFor(queue, entry);
  const message = 'duplicateOf' in built ? built.duplicateOf : built;
  if (!('duplicateOf' in built)) queue.enqueue(message);
  return {
    MessageId: message.messageId,
    MD5OfMessageBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes
      ? { MD5OfMessageAttributes: message.md5OfMessageAttributes }
      : {}),
    ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
  };
};

const sendMessage = (store: QueueStore, body: Body) => send(queueOf(store, body), body);

const sendMessageBatch = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  const entries = batchEntries(body);
  const total = entries.reduce(
    (sum, e) =>
      sum +
      messageSize(String(e.MessageBody ?? ''), recordOf<MessageAttribute>(e, 'MessageAttributes')),
    0,
  );
  if (total > MAX_BATCH_BYTES) {
    throw new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes.`,
    );
  }
  return eachEntry(entries, (entry) => send(queue, entry));
};

/** The checked parameters of a ReceiveMessage; `waitSeconds` from the queue when not given. */
export const receiveParameters = (queue: Queue, body: Body) => {
  const max = numberOf(body, 'MaxNumberOfMessages') ?? 1;
  if (max < 1 || max > 10) {
    throw invalidParameter(
      'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.',
    );
  }
  const visibilityTimeout = numberOf(body, 'VisibilityTimeout');
  checkVisibilityTimeout(visibilityTimeout);
  const waitSeconds =
    numberOf(body, 'WaitTimeSeconds') ?? Number(queue.attributes.ReceiveMessageWaitTimeSeconds);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 20) {
    throw invalidParameter(
      `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
    );
  }
  return { max, visibilityTimeout, waitSeconds };
};

/** The system attributes of a received message that `names` ask for (`All`: every one). */
const systemAttributes = (message: StoredMessage, names: string[]) => {
  const all = names.includes('All');
  const values: Record<string, string | undefined> = {
    SenderId: '000000000000',
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.approximateReceiveCount),
    ApproximateFirstReceiveTimestamp: message.approximateFirstReceiveTimestamp?.toString(),
    MessageGroupId: message.messageGroupId,
    MessageDeduplicationId: message.messageDeduplicationId,
    SequenceNumber: message.sequenceNumber,
  };
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && (all || names.includes(name))) attributes[name] = value;
  }
  return attributes;
};

/** The message attributes `names` ask for (`All` or `.*`: every one; `prefix.*` by prefix). */
const wantedMessageAttributes = (message: StoredMessage, names: string[]) => {
  if (names.length === 0 || names.includes('All') || names.includes('.*')) {
    return message.messageAttributes;
  }
  const prefixes = names.filter((n) => n.endsWith('.*')).map((n) => n.slice(0, -1));
  return Object.fromEntries(
    Object.entries(message.messageAttributes).filter(
      ([name]) => names.includes(name) || prefixes.some((p) => name.startsWith(p)),
    ),
  );
};

/** A received message as ReceiveMessage answers it. */
export const receivedMessage = ({ message, receiptHandle }: InFlight, body: Body) => {
  const names = [
    ...((body.AttributeNames as string[] | undefined) ?? []),
    ...((body.MessageSystemAttributeNames as string[] | undefined) ?? []),
  ];
  const attributes = systemAttributes(message, names);
  const messageAttributes = wantedMessageAttributes(
    message,
    (body.MessageAttributeNames as string[] | undefined) ?? [],
  );
  const hasAttributes = Object.keys(messageAttributes).length > 0;
  return {
    MessageId: message.messageId,
    ReceiptHandle: receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(hasAttributes
      ? {
          MessageAttributes: messageAttributes,
          MD5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
        }
      : {}),
  };
};

const deleteMessage = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  const receiptHandle = stringOf(body, 'ReceiptHandle');
  if (!receiptHandle) throw missingParameter('ReceiptHandle');
  // As SQS: a handle that is not (any more) in flight deletes nothing, without an error.
  queue.delete(receiptHandle);
  return {};
};

const deleteMessageBatch = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  return eachEntry(batchEntries(body), (entry) => {
    queue.delete(String(entry.ReceiptHandle));
    return {};
  });
};

const changeVisibility = (queue: Queue, entry: Body, notInFlight: () => SqsError) => {
  const receiptHandle = stringOf(entry, 'ReceiptHandle');
  if (!receiptHandle) throw missingParameter('ReceiptHandle');
  const seconds = numberOf(entry, 'VisibilityTimeout');
  if (seconds === undefined) throw missingParameter('VisibilityTimeout');
  checkVisibilityTimeout(seconds);
  if (!queue.isInFlight(receiptHandle)) throw notInFlight();
  queue.changeVisibility(receiptHandle, seconds);
  return {};
};

const changeMessageVisibility = (store: QueueStore, body: Body) =>
  changeVisibility(
    queueOf(store, body),
    body,
    () =>
      new SqsError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
      ),
  );

const changeMessageVisibilityBatch = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  return eachEntry(batchEntries(body), (entry) =>
    changeVisibility(
      queue,
      entry,
      () => new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.'),
    ),
  );
};

const deleteQueue = (store: QueueStore, body: Body) => {
  store.delete(queueOf(store, body));
  return {};
};

const purgeQueue = (store: QueueStore, body: Body) => {
  queueOf(store, body).purge();
  return {};
};

const tagQueue = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  for (const [key, value] of Object.entries(recordOf<string>(body, 'Tags'))) {
    queue.tags.set(key, value);
  }
  store.changed();
  return {};
};

const untagQueue = (store: QueueStore, body: Body) => {
  const queue = queueOf(store, body);
  for (const key of (body.TagKeys as string[] | undefined) ?? []) queue.tags.delete(key);
  store.changed();
  return {};
};

const listQueueTags = (store: QueueStore, body: Body) => ({
  Tags: Object.fromEntries(queueOf(store, body).tags),
});

/** The actions answered at once, by `X-Amz-Target` name (ReceiveMessage is the server's). */
export const ACTIONS: Record<string, (store: QueueStore, body: Body) => unknown> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  DeleteQueue: deleteQueue,
  PurgeQueue: purgeQueue,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
};
