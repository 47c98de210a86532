import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { compilePattern, type EventPatternMatcher } from './eventbridge-pattern';
import { functionNameOf, type InvokeLambda } from './lambda';

/** An `AWS::Lambda::EventSourceMapping` that feeds a function from a DynamoDB table's stream. */
export interface StreamEventSourceMapping {
  logicalId: string;
  functionName: string;
  tableName: string;
  /** The stream ARN the template names (the local context's, not DynamoDB Local's). */
  streamArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** -1: until the records expire (capped locally, see `LOCAL_RETRY_CAP`). */
  maximumRetryAttempts: number;
  /** `DestinationConfig.OnFailure.Destination`: an SQS queue ARN. */
  onFailure?: string;
  /** `FilterCriteria`: a record is delivered when any pattern matches (none: every record). */
  filters: EventPatternMatcher[];
  enabled: boolean;
}

/** One record as Lambda passes it to a function (a `DynamoDBRecord`). */
export interface DynamoDbStreamEventRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: Record<string, unknown>;
  eventSourceARN: string;
}

const STREAM_ARN = /^arn:aws[\w-]*:dynamodb:([^:]+):(\d{12}):table\/([^/]+)\/stream\/.+$/;
/** How often an idle shard is read again (Lambda polls each shard about 4 times a second). */
const POLL_MS = 100;
/** How often the stream is described again to find new shards. */
const DESCRIBE_MS = 1000;
/** `MaximumRetryAttempts: -1` retries until the record expires (24 h); here this many times. */
export const LOCAL_RETRY_CAP = 10;
const RETRY_BASE_MS = 100;

const isTrue = (value: unknown, fallback: boolean) =>
  value === undefined ? fallback : value === true || value === 'true';

/**
 * The template's event source mappings whose source is a DynamoDB stream, with Lambda's
 * defaults (batch of 100, no window, retries until expiry, enabled).
 */
export const streamMappingsFromTemplate = (
  template: Template,
  ctx: ResolveContext,
): StreamEventSourceMapping[] =>
  resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(
    ({ logicalId, properties }) => {
      const prop = (key: string) =>
        properties[key] === undefined ? undefined : resolve(properties[key], ctx);
      try {
        const streamArn = String(prop('EventSourceArn'));
        const match = STREAM_ARN.exec(streamArn);
        if (!match) return [];
        const types = prop('FunctionResponseTypes');
        const filters = (
          (prop('FilterCriteria') as { Filters?: { Pattern?: string }[] } | undefined)?.Filters ??
          []
        ).map(({ Pattern }) => compilePattern(JSON.parse(String(Pattern))));
        const destination = (
          prop('DestinationConfig') as { OnFailure?: { Destination?: string } } | undefined
        )?.OnFailure?.Destination;
        const position = String(prop('StartingPosition') ?? 'LATEST');
        return [
          {
            logicalId,
            functionName: functionNameOf(String(prop('FunctionName'))),
            tableName: match[3] as string,
            streamArn,
            batchSize: Number(prop('BatchSize') ?? 100),
            maximumBatchingWindowInSeconds: Number(prop('MaximumBatchingWindowInSeconds') ?? 0),
            startingPosition: position === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
            reportBatchItemFailures:
              Array.isArray(types) && types.includes('ReportBatchItemFailures'),
            bisectBatchOnFunctionError: isTrue(prop('BisectBatchOnFunctionError'), false),
            maximumRetryAttempts: Number(prop('MaximumRetryAttempts') ?? -1),
            ...(destination ? { onFailure: String(destination) } : {}),
            filters,
            enabled: isTrue(prop('Enabled'), true),
          } satisfies StreamEventSourceMapping,
        ];
      } catch (error) {
        throw new Error(`${logicalId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  );

/** JSON as Lambda shows it: binary attribute values as base64, times as epoch seconds. */
const toJson = (value: unknown): unknown => {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Set) return [...value].map(toJson);
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toJson(v)]),
    );
  }
  return value;
};

export const lambdaRecordOf = (
  record: StreamRecord,
  mapping: Pick<StreamEventSourceMapping, 'streamArn'>,
): DynamoDbStreamEventRecord => ({
  eventID: record.eventID ?? '',
  eventName: (record.eventName ?? 'INSERT') as DynamoDbStreamEventRecord['eventName'],
  eventVersion: record.eventVersion ?? '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: record.awsRegion ?? STREAM_ARN.exec(mapping.streamArn)?.[1] ?? '',
  dynamodb: toJson(record.dynamodb ?? {}) as Record<string, unknown>,
  eventSourceARN: mapping.streamArn,
});

/**
 * What a function's answer means for a batch, as Lambda reads it for streams: `'all'` (failed:
 * retry the batch), or the sequence number to resume from (the lowest reported failure), or
 * `undefined` (the whole batch succeeded).
 */
export const streamBatchOutcome = (
  payload: unknown,
  batch: DynamoDbStreamEventRecord[],
  reportBatchItemFailures: boolean,
): 'all' | { resumeAt: number } | undefined => {
  if (!reportBatchItemFailures) return undefined;
  if (payload === null || payload === undefined || payload === '') return undefined;
  if (typeof payload !== 'object' || Array.isArray(payload)) return 'all';
  const items = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return undefined;
  if (!Array.isArray(items)) return 'all';
  if (items.length === 0) return undefined;
  let resumeAt = batch.length;
  for (const item of items) {
    const id =
      item !== null && typeof item === 'object'
        ? (item as { itemIdentifier?: unknown }).itemIdentifier
        : undefined;
    const index = batch.findIndex((r) => r.dynamodb.SequenceNumber === id);
    // An identifier that is not a record of the batch fails the whole batch.
    if (typeof id !== 'string' || index < 0) return 'all';
    resumeAt = Math.min(resumeAt, index);
  }
  return { resumeAt };
};

export interface StreamPollers {
  stop(): Promise<void>;
  /** Resolves once every shard has been read to its end and no batch is being processed. */
  idle(): Promise<void>;
  /** The pollers `idle` waits for, one line each. */
  pending(): string[];
}

interface Shard {
  id: string;
  parentId?: string;
  iterator?: string;
  /** The last sequence number handed to the function (and succeeded, or was given up on). */
  checkpoint?: string;
  closed: boolean;
}

/**
 * Reads each mapping's stream from DynamoDB Local as Lambda's stream poller does: shards in
 * order (a child after its parent), filtered records in batches to the function, a failed
 * batch retried (halved with `BisectBatchOnFunctionError`, resumed at the first reported
 * failure with `ReportBatchItemFailures`) up to `MaximumRetryAttempts`, then described to the
 * `OnFailure` queue and skipped. Where each shard was read up to is kept in `checkpointFile`
 * (when given), so a restart neither loses nor replays records.
 */
export const startStreamPollers = async (options: {
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  sqs: SQSClient;
  queueUrlOf: (arn: string) => string;
  mappings: StreamEventSourceMapping[];
  invoke: InvokeLambda;
  checkpointFile?: string;
  log?: (line: string) => void;
}): Promise<StreamPollers> => {
  const { dynamodb, streams, sqs, invoke } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const stopping = new AbortController();
  const { signal } = stopping;
  const sleep = (ms: number) => delay(ms, undefined, { signal }).catch(() => undefined);

  const saved: Record<string, string> = options.checkpointFile
    ? await readFile(options.checkpointFile, 'utf8')
        .then((text) => JSON.parse(text) as Record<string, string>)
        .catch(() => ({}))
    : {};
  let saving: Promise<void> = Promise.resolve();
  const save = (key: string, sequenceNumber: string) => {
    saved[key] = sequenceNumber;
    const file = options.checkpointFile;
    if (!file) return;
    saving = saving.then(() =>
      writeFile(file, `${JSON.stringify(saved, null, 2)}\n`).catch((error: unknown) =>
        log(`[streams] could not save checkpoints: ${String(error)}`),
      ),
    );
  };

  const workers = await Promise.all(
    options.mappings
      .filter((mapping) => mapping.enabled)
      .map(async (mapping) => {
        const table = await dynamodb.send(
          new DescribeTableCommand({ TableName: mapping.tableName }),
        );
        const localArn = table.Table?.LatestStreamArn;
        if (!localArn) {
          throw new Error(
            `${mapping.logicalId}: table ${mapping.tableName} has no stream (StreamSpecification missing?)`,
          );
        }
        return {
          mapping,
          localArn,
          label: `[stream ${mapping.tableName} → ${mapping.functionName}]`,
          shards: new Map<string, Shard>(),
          busy: false,
          /** Rounds in which every open shard was read and gave nothing. */
          quietRounds: 0,
        };
      }),
  );
  type Worker = (typeof workers)[number];

  const describe = async (worker: Worker) => {
    let start: string | undefined;
    do {
      const { StreamDescription } = await streams.send(
        new DescribeStreamCommand({
          StreamArn: worker.localArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      for (const shard of StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || worker.shards.has(shard.ShardId)) continue;
        const checkpoint = saved[`${worker.localArn}|${shard.ShardId}`];
        worker.shards.set(shard.ShardId, {
          id: shard.ShardId,
          ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
          ...(checkpoint ? { checkpoint } : {}),
          closed: false,
        });
      }
      start = StreamDescription?.LastEvaluatedShardId;
    } while (start);
  };

  const iteratorOf = async (worker: Worker, shard: Shard): Promise<string | undefined> => {
    const request = shard.checkpoint
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.checkpoint }
      : // A shard born after the poller started is read from its start; the first shards from
        // the mapping's starting position.
        { ShardIteratorType: worker.mapping.startingPosition };
    try {
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: worker.localArn, ShardId: shard.id, ...request }),
      );
      return ShardIterator;
    } catch (error) {
      if (!(error instanceof TrimmedDataAccessException)) throw error;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: worker.localArn,
          ShardId: shard.id,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      return ShardIterator;
    }
  };

  const sendToOnFailure = async (
    worker: Worker,
    shard: Shard,
    batch: DynamoDbStreamEventRecord[],
    reason: string,
    attempts: number,
  ) => {
    const { onFailure } = worker.mapping;
    log(
      `${worker.label} gave up on ${batch.length} record(s) after ${attempts} attempt(s): ${reason}`,
    );
    if (!onFailure) return;
    const first = batch[0]?.dynamodb;
    const last = batch.at(-1)?.dynamodb;
    // The invocation record Lambda sends to a stream mapping's on-failure destination.
    const record = {
      requestContext: {
        requestId: crypto.randomUUID(),
        functionArn: worker.mapping.functionName,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: attempts,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: reason },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: shard.id,
        startSequenceNumber: first?.SequenceNumber,
        endSequenceNumber: last?.SequenceNumber,
        approximateArrivalOfFirstRecord: first?.ApproximateCreationDateTime,
        approximateArrivalOfLastRecord: last?.ApproximateCreationDateTime,
        batchSize: batch.length,
        streamArn: worker.mapping.streamArn,
      },
    };
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: options.queueUrlOf(onFailure),
          MessageBody: JSON.stringify(record),
        }),
      );
    } catch (error) {
      log(`${worker.label} could not reach its on-failure destination: ${String(error)}`);
    }
  };

  /** Delivers `records` (already filtered) until each is done or given up on. */
  const deliver = async (worker: Worker, shard: Shard, records: DynamoDbStreamEventRecord[]) => {
    const { mapping } = worker;
    const maxRetries =
      mapping.maximumRetryAttempts < 0 ? LOCAL_RETRY_CAP : mapping.maximumRetryAttempts;
    let pending = records;
    let attempts = 0;
    let size = pending.length;
    while (pending.length > 0 && !signal.aborted) {
      const batch = pending.slice(0, size);
      let outcome: ReturnType<typeof streamBatchOutcome>;
      let reason = '';
      try {
        const result = await invoke(mapping.functionName, { Records: batch });
        if (result.functionError) {
          outcome = 'all';
          reason = `${result.functionError}: ${JSON.stringify(result.payload)}`;
        } else {
          outcome = streamBatchOutcome(result.payload, batch, mapping.reportBatchItemFailures);
          reason = 'batch item failures reported';
        }
      } catch (error) {
        outcome = 'all';
        reason = String(error);
      }
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
        await sendToOnFailure(worker, shard, failed, reason, attempts);
        pending = pending.slice(failed.length);
        attempts = 0;
        size = pending.length;
        continue;
      }
      if (outcome === 'all' && mapping.bisectBatchOnFunctionError && batch.length > 1) {
        size = Math.ceil(batch.length / 2);
      } else {
        size = Math.max(1, batch.length - resumeAt);
      }
      log(`${worker.label} attempt ${attempts} failed (${reason}); retrying`);
      await sleep(RETRY_BASE_MS * 2 ** Math.min(attempts, 5));
    }
  };

  /** Reads one shard once; true when it gave records. */
  const readShard = async (worker: Worker, shard: Shard): Promise<boolean> => {
    shard.iterator ??= await iteratorOf(worker, shard);
    if (!shard.iterator) {
      shard.closed = true;
      return false;
    }
    let result: GetRecordsCommandOutput;
    try {
      result = await streams.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (
        error instanceof ExpiredIteratorException ||
        error instanceof TrimmedDataAccessException
      ) {
        delete shard.iterator;
        return true;
      }
      throw error;
    }
    const records = (result.Records ?? []).map((r) => lambdaRecordOf(r, worker.mapping));
    if (records.length > 0) {
      const { filters, batchSize } = worker.mapping;
      const delivered =
        filters.length === 0 ? records : records.filter((r) => filters.some((f) => f(r)));
      worker.busy = true;
      try {
        for (let i = 0; i < delivered.length && !signal.aborted; i += batchSize) {
          await deliver(worker, shard, delivered.slice(i, i + batchSize));
        }
      } finally {
        worker.busy = false;
      }
      if (signal.aborted) return false;
      const last = records.at(-1)?.dynamodb.SequenceNumber;
      if (typeof last === 'string') {
        shard.checkpoint = last;
        save(`${worker.localArn}|${shard.id}`, last);
      }
    }
    if (result.NextShardIterator) shard.iterator = result.NextShardIterator;
    else {
      delete shard.iterator;
      shard.closed = true;
    }
    return records.length > 0;
  };

  const run = async (worker: Worker) => {
    let describedAt = 0;
    while (!signal.aborted) {
      try {
        if (Date.now() - describedAt >= DESCRIBE_MS) {
          await describe(worker);
          describedAt = Date.now();
        }
        let gotRecords = false;
        for (const shard of worker.shards.values()) {
          if (shard.closed || signal.aborted) continue;
          const parent = shard.parentId ? worker.shards.get(shard.parentId) : undefined;
          if (parent && !parent.closed) continue;
          if (await readShard(worker, shard)) gotRecords = true;
        }
        worker.quietRounds = gotRecords ? 0 : worker.quietRounds + 1;
        if (!gotRecords) await sleep(POLL_MS);
      } catch (error) {
        if (signal.aborted) return;
        log(`${worker.label} ${String(error)}`);
        worker.quietRounds = 0;
        await sleep(1000);
      }
    }
  };

  const running = workers.map(run);
  let stopped: Promise<void> | undefined;
  return {
    stop: () => {
      stopped ??= (async () => {
        stopping.abort();
        await Promise.all(running);
        await saving;
      })();
      return stopped;
    },
    pending: () =>
      workers
        .filter((w) => w.busy || w.quietRounds < 2)
        .map((w) => `${w.label} ${w.busy ? 'delivering' : `quiet rounds ${w.quietRounds}`}`),
    idle: async () => {
      // Two quiet rounds after the call: every record written before it has been read.
      for (const worker of workers) worker.quietRounds = 0;
      while (!signal.aborted && workers.some((w) => w.busy || w.quietRounds < 2)) {
        await delay(POLL_MS / 4);
      }
    },
  };
};
