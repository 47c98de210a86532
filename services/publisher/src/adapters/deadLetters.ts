import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface DeadLetters {
  /** Keeps an event the fan-out refused, with why, for someone to look at. */
  send(event: unknown, reason: string): Promise<void>;
}

/**
 * The fan-out rule's dead-letter queue. EventBridge sends it what it could not deliver; the
 * fan-out itself sends it events it refuses (a detail that fails its schema), with the same
 * message attributes EventBridge uses, so one queue holds everything that was not pushed.
 */
export const buildDeadLetters = (client: SQSClient, queueUrl: string): DeadLetters => ({
  async send(event, reason) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          ERROR_CODE: { DataType: 'String', StringValue: 'InvalidEvent' },
          ERROR_MESSAGE: { DataType: 'String', StringValue: reason.slice(0, 256) || 'invalid' },
        },
      }),
    );
  },
});
