import type { Message } from '@aws-sdk/client-sqs';
import { batchItemFailuresOf, itemIdentifierOf } from './batch-item-failures';

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

export const SQS_ARN = /^arn:aws[\w-]*:sqs:([^:]+):(\d{12}):([^:]+)$/;

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

const systemAttributesOf = (message: Message): Record<string, string> => {
  const system = (message.Attributes ?? {}) as Record<string, string | undefined>;
  const attributes: Record<string, string> = {};
  for (const name of RECORD_ATTRIBUTES) {
    const value = system[name];
    if (value !== undefined) attributes[name] = value;
  }
  return attributes;
};

const messageAttributesOf = (message: Message): SqsEventRecord['messageAttributes'] => {
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
  return messageAttributes;
};

/** A received message as the record Lambda gives a function of the queue with `queueArn`. */
export const sqsRecordOf = (message: Message, queueArn: string): SqsEventRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: systemAttributesOf(message),
  messageAttributes: messageAttributesOf(message),
  md5OfBody: message.MD5OfBody ?? '',
  ...(message.MD5OfMessageAttributes
    ? { md5OfMessageAttributes: message.MD5OfMessageAttributes }
    : {}),
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: SQS_ARN.exec(queueArn)?.[1] ?? '',
});

/**
 * The message ids a `ReportBatchItemFailures` response reports failed, or why the whole batch
 * failed. As Lambda: no response, `{}` or an empty or null `batchItemFailures` is success; a
 * response that is not an object, or an `itemIdentifier` that is missing, empty or not a
 * message of the batch, fails the whole batch.
 */
export const reportedFailures = (payload: unknown, batch: Set<string>): Set<string> | string => {
  const items = batchItemFailuresOf(payload);
  if (typeof items === 'string') return items;
  const failed = new Set<string>();
  for (const item of items) {
    const id = itemIdentifierOf(item);
    if (typeof id !== 'string' || !batch.has(id)) {
      return `itemIdentifier ${JSON.stringify(id) ?? 'undefined'} is not a message of the batch`;
    }
    failed.add(id);
  }
  return failed;
};
