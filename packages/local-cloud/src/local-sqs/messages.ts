import { createHash, randomUUID } from 'node:crypto';
import * as z from 'zod';

/** A message attribute as the JSON protocol carries it (binary values in base64). */
export const MessageAttributeSchema = z.object({
  DataType: z.string(),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});
export type MessageAttribute = z.infer<typeof MessageAttributeSchema>;

/** A message as a queue keeps it (and as the state file saves it). */
export const StoredMessageSchema = z.object({
  messageId: z.string(),
  body: z.string(),
  md5OfBody: z.string(),
  messageAttributes: z.record(z.string(), MessageAttributeSchema),
  md5OfMessageAttributes: z.string(),
  sentTimestamp: z.number(),
  approximateReceiveCount: z.number().int().nonnegative(),
  approximateFirstReceiveTimestamp: z.number().optional(),
  delayUntil: z.number().optional(),
  messageGroupId: z.string().optional(),
  messageDeduplicationId: z.string().optional(),
  sequenceNumber: z.string().optional(),
});
export type StoredMessage = z.infer<typeof StoredMessageSchema>;

export const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

const lengthPrefixed = (bytes: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, bytes];
};

/**
 * The MD5 SQS gives of message attributes (the SDK checks it): per attribute in name order,
 * the length-prefixed name and data type, a transport byte (1 string, 2 binary) and the
 * length-prefixed value. Empty without attributes.
 */
export const md5OfMessageAttributes = (attributes: Record<string, MessageAttribute>): string => {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return '';
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes[name] as MessageAttribute;
    parts.push(...lengthPrefixed(Buffer.from(name, 'utf8')));
    parts.push(...lengthPrefixed(Buffer.from(attribute.DataType, 'utf8')));
    if (attribute.DataType.startsWith('Binary')) {
      parts.push(
        Buffer.from([2]),
        ...lengthPrefixed(Buffer.from(attribute.BinaryValue ?? '', 'base64')),
      );
    } else {
      parts.push(
        Buffer.from([1]),
        ...lengthPrefixed(Buffer.from(attribute.StringValue ?? '', 'utf8')),
      );
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
};

/** What a message counts against `MaximumMessageSize`: body, attribute names, types, values. */
export const messageSize = (body: string, attributes: Record<string, MessageAttribute>): number => {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType, 'utf8');
    size += Buffer.byteLength(attribute.StringValue ?? '', 'utf8');
    size += Buffer.byteLength(attribute.BinaryValue ?? '', 'utf8');
  }
  return size;
};

export const newMessage = (
  body: string,
  messageAttributes: Record<string, MessageAttribute>,
  options: { delaySeconds?: number; messageGroupId?: string; messageDeduplicationId?: string },
): StoredMessage => {
  const now = Date.now();
  return {
    messageId: randomUUID(),
    body,
    md5OfBody: md5(body),
    messageAttributes,
    md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
    sentTimestamp: now,
    approximateReceiveCount: 0,
    ...(options.delaySeconds ? { delayUntil: now + options.delaySeconds * 1000 } : {}),
    ...(options.messageGroupId ? { messageGroupId: options.messageGroupId } : {}),
    ...(options.messageDeduplicationId
      ? { messageDeduplicationId: options.messageDeduplicationId }
      : {}),
  };
};

/** The deduplication id of a FIFO message without one, with `ContentBasedDeduplication`. */
export const contentBasedDeduplicationId = (body: string) =>
  createHash('sha256').update(body).digest('hex');
