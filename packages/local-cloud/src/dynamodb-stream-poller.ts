import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  type DynamoDbStreamEventRecord,
  lambdaRecordOf,
  type StreamEventSourceMapping,
  streamBatchOutcome,
} from './dynamodb-stream-events';
import type { InvokeLambda } from './lambda';
import type { PollLoops } from './poll-loops';
import type { StreamCheckpoints } from './stream-checkpoints';

/** How often an idle shard is read again while records came lately. */
export const POLL_MS = 100;
/**
 * After this many quiet rounds in a row (≈ 5 s) a shard is read at Lambda's own rate, about 4
 * times a second: a resting stack no longer polls DynamoDB Local 10 times a second per mapping.
 * Records, or a caller waiting for the stream to settle (`quietRounds` reset), bring back POLL_MS
 * from the next round on (a pause already begun runs out: at most RESTING_POLL_MS later, as on AWS).
 */
export const QUIET_ROUNDS_BEFORE_RESTING = 50;
export const RESTING_POLL_MS = 250;
/** How often the stream is described again to find new shards. */
const DESCRIBE_MS = 1000;
/** `MaximumRetryAttempts: -1` retries until the record expires (24 h); here this many times. */
export const LOCAL_RETRY_CAP = 10;
const RETRY_BASE_MS = 100;
const RETRY_AFTER_ERROR_MS = 1000;

interface Shard {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last sequence number handed to the function (and succeeded, or was given up on). */
  checkpoint?: string;
  closed: boolean;
}

/** What became of one invocation with a batch, and why it failed (when it did). */
interface Attempt {
  outcome: ReturnType<typeof streamBatchOutcome>;
  reason: string;
}

/** What the stream services this poller calls. */
export interface StreamPollerClients {
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  queueUrlOf: (arn: string) => string;
  invoke: InvokeLambda;
  checkpoints: StreamCheckpoints;
  log: (line: string) => void;
}

/** The invocation record Lambda sends to a stream mapping's on-failure destination. */
const onFailureRecord = (
  mapping: StreamEventSourceMapping,
  shardId: string,
  batch: DynamoDbStreamEventRecord[],
  reason: string,
  attempts: number,
) => {
  const first = batch[0]?.dynamodb;
  const last = batch.at(-1)?.dynamodb;
  return {
    requestContext: {
      requestId: crypto.randomUUID(),
      functionArn: mapping.functionName,
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: reason },
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: first?.SequenceNumber,
      endSequenceNumber: last?.SequenceNumber,
      approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime,
      approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime,
      batchSize: batch.length,
      streamArn: mapping.streamArn,
    },
  };
};

/**
 * Lambda's stream poller for one mapping, reading the table's stream from DynamoDB Local:
 * shards in order (a child after its parent), filtered records in batches to the function, a
 * failed batch retried (halved with `BisectBatchOnFunctionError`, resumed at the first reported
 * failure with `ReportBatchItemFailures`) up to `MaximumRetryAttempts`, then described to the
 * `OnFailure` queue and skipped.
 */
export class DynamoDbStreamPoller {
  readonly label: string;
  readonly shards = new Map<string, Shard>();
  /** A batch is being delivered. */
  busy = false;
  /** Rounds in which every open shard was read and gave nothing. */
  quietRounds = 0;

  constructor(
    readonly mapping: StreamEventSourceMapping,
    /** The table's stream ARN in DynamoDB Local. */
    readonly localArn: string,
    private readonly clients: StreamPollerClients,
  ) {
    this.label = `[stream ${mapping.tableName} → ${mapping.functionName}]`;
  }

  /** Reads the shards round after round until the loops stop. */
  async pollUntilStopped(loops: PollLoops): Promise<void> {
    let describedAt = 0;
    while (!loops.signal.aborted) {
      try {
        if (Date.now() - describedAt >= DESCRIBE_MS) {
          await this.describeShards();
          describedAt = Date.now();
        }
        const gotRecords = await this.readOpenShards(loops);
        this.quietRounds = gotRecords ? 0 : this.quietRounds + 1;
        if (!gotRecords) await loops.pause(this.pauseAfterQuietRound());
      } catch (error) {
        if (loops.signal.aborted) return;
        this.clients.log(`${this.label} ${String(error)}`);
        this.quietRounds = 0;
        await loops.pause(RETRY_AFTER_ERROR_MS);
      }
    }
  }

  /** How long to wait after a round that gave nothing: longer once the stream has rested. */
  pauseAfterQuietRound(): number {
    return this.quietRounds >= QUIET_ROUNDS_BEFORE_RESTING ? RESTING_POLL_MS : POLL_MS;
  }

  /** Reads each open shard whose parent is done once; true when any gave records. */
  private async readOpenShards(loops: PollLoops): Promise<boolean> {
    let gotRecords = false;
    for (const shard of this.shards.values()) {
      if (shard.closed || loops.signal.aborted) continue;
      const parent = shard.parentId ? this.shards.get(shard.parentId) : undefined;
      if (parent && !parent.closed) continue;
      if (await this.readShard(loops, shard)) gotRecords = true;
    }
    return gotRecords;
  }

  /** Learns the stream's new shards, each from its checkpoint when one was saved. */
  private async describeShards(): Promise<void> {
    let start: string | undefined;
    do {
      const { StreamDescription } = await this.clients.streams.send(
        new DescribeStreamCommand({
          StreamArn: this.localArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        const checkpoint = this.clients.checkpoints.get(this.localArn, shard.ShardId);
        this.shards.set(shard.ShardId, {
          id: shard.ShardId,
          ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
          ...(checkpoint ? { checkpoint } : {}),
          closed: false,
        });
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
  }

  private async shardIterator(
    shard: Shard,
    position: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'SequenceNumber'>,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.clients.streams.send(
      new GetShardIteratorCommand({ StreamArn: this.localArn, ShardId: shard.id, ...position }),
    );
    return ShardIterator;
  }

  /** An iterator after the shard's checkpoint, else at the mapping's starting position. */
  private async iteratorOf(shard: Shard): Promise<string | undefined> {
    try {
      return await this.shardIterator(
        shard,
        shard.checkpoint
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: shard.checkpoint }
          : // A shard born after the poller started is read from its start; the first shards
            // from the mapping's starting position.
            { ShardIteratorType: this.mapping.startingPosition },
      );
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      return this.shardIterator(shard, { ShardIteratorType: 'TRIM_HORIZON' });
    }
  }

  /** The next records of the shard, or undefined when its iterator has to be taken again. */
  private async getRecords(
    loops: PollLoops,
    iterator: string,
  ): Promise<GetRecordsCommandOutput | undefined> {
    try {
      return await this.clients.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
        { abortSignal: loops.signal },
      );
    } catch (error) {
      if (
        error instanceof ExpiredIteratorException ||
        error instanceof TrimmedDataAccessException
      ) {
        return undefined;
      }
      throw error;
    }
  }

  /** Reads one shard once; true when it gave records. */
  private async readShard(loops: PollLoops, shard: Shard): Promise<boolean> {
    shard.iterator ??= await this.iteratorOf(shard);
    if (!shard.iterator) {
      shard.closed = true;
      return false;
    }
    const result = await this.getRecords(loops, shard.iterator);
    if (!result) {
      delete shard.iterator;
      return true;
    }
    const records = (result.Records ?? []).map((r) => lambdaRecordOf(r, this.mapping));
    if (records.length > 0) {
      await this.deliverFiltered(loops, shard, records);
      if (loops.signal.aborted) return false;
      this.checkpoint(shard, records.at(-1)?.dynamodb.SequenceNumber);
    }
    if (result.NextShardIterator) shard.iterator = result.NextShardIterator;
    else {
      delete shard.iterator;
      shard.closed = true;
    }
    return records.length > 0;
  }

  private checkpoint(shard: Shard, sequenceNumber: unknown): void {
    if (typeof sequenceNumber !== 'string') return;
    shard.checkpoint = sequenceNumber;
    this.clients.checkpoints.save(this.localArn, shard.id, sequenceNumber);
  }

  /** Delivers the records the mapping's filters let through, `batchSize` at a time. */
  private async deliverFiltered(
    loops: PollLoops,
    shard: Shard,
    records: DynamoDbStreamEventRecord[],
  ): Promise<void> {
    const { filters, batchSize } = this.mapping;
    const delivered =
      filters.length === 0 ? records : records.filter((r) => filters.some((f) => f(r)));
    this.busy = true;
    try {
      for (let i = 0; i < delivered.length && !loops.signal.aborted; i += batchSize) {
        await this.deliver(loops, shard, delivered.slice(i, i + batchSize));
      }
    } finally {
      this.busy = false;
    }
  }

  /** Delivers `records` (already filtered) until each is done or given up on. */
  private async deliver(
    loops: PollLoops,
    shard: Shard,
    records: DynamoDbStreamEventRecord[],
  ): Promise<void> {
    const { mapping } = this;
    const maxRetries =
      mapping.maximumRetryAttempts < 0 ? LOCAL_RETRY_CAP : mapping.maximumRetryAttempts;
    let pending = records;
    let attempts = 0;
    let size = pending.length;
    while (pending.length > 0 && !loops.signal.aborted) {
      const batch = pending.slice(0, size);
      const { outcome, reason } = await this.invokeWith(batch);
      if (outcome === undefined) {
        pending = pending.slice(batch.length);
        attempts = 0;
        size = pending.length;
        continue;
      }
      const resumeAt = outcome === 'all' ? 0 : outcome.resumeAt;
      pending = pending.slice(resumeAt);
      attempts++;
      if (attempts > maxRetries) {
        const failed = pending.slice(0, batch.length - resumeAt);
        await this.sendToOnFailure(shard, failed, reason, attempts);
        pending = pending.slice(failed.length);
        attempts = 0;
        size = pending.length;
        continue;
      }
      const bisect = outcome === 'all' && mapping.bisectBatchOnFunctionError && batch.length > 1;
      size = bisect ? Math.ceil(batch.length / 2) : Math.max(1, batch.length - resumeAt);
      this.clients.log(`${this.label} attempt ${attempts} failed (${reason}); retrying`);
      await loops.pause(RETRY_BASE_MS * 2 ** Math.min(attempts, 5));
    }
  }

  private async invokeWith(batch: DynamoDbStreamEventRecord[]): Promise<Attempt> {
    const { mapping } = this;
    try {
      const result = await this.clients.invoke(mapping.functionName, { Records: batch });
      if (result.functionError) {
        return {
          outcome: 'all',
          reason: `${result.functionError}: ${JSON.stringify(result.payload)}`,
        };
      }
      return {
        outcome: streamBatchOutcome(result.payload, batch, mapping.reportBatchItemFailures),
        reason: 'batch item failures reported',
      };
    } catch (error) {
      return { outcome: 'all', reason: String(error) };
    }
  }

  private async sendToOnFailure(
    shard: Shard,
    batch: DynamoDbStreamEventRecord[],
    reason: string,
    attempts: number,
  ): Promise<void> {
    const { mapping, label, clients } = this;
    clients.log(
      `${label} gave up on ${batch.length} record(s) after ${attempts} attempt(s): ${reason}`,
    );
    if (!mapping.onFailure) return;
    const record = onFailureRecord(mapping, shard.id, batch, reason, attempts);
    try {
      await clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: clients.queueUrlOf(mapping.onFailure),
          MessageBody: JSON.stringify(record),
        }),
      );
    } catch (error) {
      clients.log(`${label} could not reach its on-failure destination: ${String(error)}`);
    }
  }
}
