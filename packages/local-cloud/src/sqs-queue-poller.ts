import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsEventSourceMapping } from './event-source-mappings';
import type { InvokeLambda } from './lambda';
import type { PollLoops } from './poll-loops';
import { reportedFailures, type SqsEvent, sqsRecordOf } from './sqs-lambda-event';

const LONG_POLL_SECONDS = 20;
const RETRY_AFTER_ERROR_MS = 1000;
const SHORT_POLL_PAUSE_MS = 50;

interface Received {
  message: Message;
  /** When the receive that returned it answered. */
  receivedAt: number;
}

const idOf = ({ message }: Received) => message.MessageId ?? '';

/** `items` in chunks of at most ten, as the SQS batch actions take them. */
const inTens = <T>(items: T[]): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += 10) chunks.push(items.slice(i, i + 10));
  return chunks;
};

/**
 * Lambda's poller for one SQS event source mapping: a long poll, then up to `batchSize`
 * messages gathered within the batching window, one batch at a time. After the invocation,
 * success deletes the batch (less the reported failures with `ReportBatchItemFailures`); a
 * function error or a failed invoke deletes nothing, so the messages come back after their
 * visibility timeout and reach the dead-letter queue through the queue's redrive policy.
 */
export class SqsQueuePoller {
  readonly label: string;
  /** A batch is being gathered or processed. */
  busy = false;
  /** Messages whose processing failed, by id: when their receive answered. */
  readonly failed = new Map<string, number>();

  constructor(
    readonly mapping: SqsEventSourceMapping,
    private readonly sqs: SQSClient,
    private readonly invoke: InvokeLambda,
    private readonly log: (line: string) => void,
  ) {
    this.label = `[sqs ${mapping.queueArn.split(':').pop()} → ${mapping.functionName}]`;
  }

  /** Polls and processes batches until the loops stop. */
  async pollUntilStopped(loops: PollLoops): Promise<void> {
    while (!loops.signal.aborted) {
      try {
        const batch = await this.receive(
          loops.signal,
          Math.min(10, this.mapping.batchSize),
          LONG_POLL_SECONDS,
        );
        if (batch.length > 0) await this.handleBatch(loops, batch);
      } catch (error) {
        if (loops.signal.aborted) return;
        this.log(`${this.label} ${String(error)}`);
        await loops.pause(RETRY_AFTER_ERROR_MS);
      }
    }
  }

  private async handleBatch(loops: PollLoops, batch: Received[]): Promise<void> {
    const { signal } = loops;
    this.busy = true;
    try {
      await this.gather(loops, batch).catch((error: unknown) => {
        // What was gathered is processed; a receive that failed mid-window ends the window.
        if (!signal.aborted) this.log(`${this.label} receive failed: ${String(error)}`);
      });
      if (signal.aborted) await this.release(batch);
      else await this.process(batch);
    } finally {
      this.busy = false;
    }
  }

  private async receive(signal: AbortSignal, max: number, waitSeconds: number) {
    const result = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.mapping.queueUrl,
        MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    const receivedAt = Date.now();
    return (result.Messages ?? []).map((message): Received => {
      this.failed.delete(message.MessageId ?? '');
      return { message, receivedAt };
    });
  }

  /** Adds to the batch until it is full or the batching window has passed. */
  private async gather(loops: PollLoops, batch: Received[]): Promise<void> {
    const { batchSize, maximumBatchingWindowInSeconds } = this.mapping;
    const deadline = Date.now() + maximumBatchingWindowInSeconds * 1000;
    while (batch.length < batchSize && !loops.signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      // Long polls in whole seconds while they fit in the window, then short polls: a poll is
      // never cut off, so no message is received by a request nobody reads.
      const wait = Math.min(LONG_POLL_SECONDS, Math.floor(remaining / 1000));
      const more = await this.receive(loops.signal, batchSize - batch.length, wait);
      batch.push(...more);
      if (wait === 0 && more.length === 0) {
        await loops.pause(Math.min(remaining, SHORT_POLL_PAUSE_MS));
      }
    }
  }

  /** Invokes the function with the batch; deletes what succeeded, remembers what failed. */
  private async process(batch: Received[]): Promise<void> {
    const { mapping } = this;
    const event: SqsEvent = {
      Records: batch.map(({ message }) => sqsRecordOf(message, mapping.queueArn)),
    };
    const failed = await this.invokeWith(event);
    const hasFailed = (r: Received) => failed === 'all' || failed.has(idOf(r));
    for (const r of batch.filter(hasFailed)) this.failed.set(idOf(r), r.receivedAt);
    await this.delete(batch.filter((r) => !hasFailed(r)));
  }

  /** The ids of the event's messages that failed, or `'all'`. */
  private async invokeWith(event: SqsEvent): Promise<Set<string> | 'all'> {
    const { mapping, label } = this;
    try {
      const result = await this.invoke(mapping.functionName, event);
      if (result.functionError) {
        this.log(`${label} failed (${result.functionError}): ${JSON.stringify(result.payload)}`);
        return 'all';
      }
      if (!mapping.reportBatchItemFailures) return new Set();
      const batchIds = new Set(event.Records.map((r) => r.messageId));
      const reported = reportedFailures(result.payload, batchIds);
      if (typeof reported !== 'string') return reported;
      this.log(`${label} the whole batch failed: ${reported}`);
      return 'all';
    } catch (error) {
      this.log(`${label} could not be invoked: ${String(error)}`);
      return 'all';
    }
  }

  private async delete(messages: Received[]): Promise<void> {
    for (const chunk of inTens(messages)) {
      const result = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.mapping.queueUrl,
          Entries: chunk.map(({ message }, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      for (const failure of result.Failed ?? []) {
        this.log(`${this.label} could not delete a message: ${failure.Code} ${failure.Message}`);
      }
    }
  }

  /** Puts a gathered batch back at once (stopping before it was processed). */
  private async release(batch: Received[]): Promise<void> {
    for (const chunk of inTens(batch)) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.mapping.queueUrl,
          Entries: chunk.map(({ message }, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
  }
}
