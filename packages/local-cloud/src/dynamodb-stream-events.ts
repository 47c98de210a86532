import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { batchItemFailuresOf, itemIdentifierOf } from './batch-item-failures';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import { compilePattern, type EventPatternMatcher } from './eventbridge-pattern';
import { functionNameOf } from './lambda';

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

export const STREAM_ARN = /^arn:aws[\w-]*:dynamodb:([^:]+):(\d{12}):table\/([^/]+)\/stream\/.+$/;

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
  const items = batchItemFailuresOf(payload);
  if (typeof items === 'string') return 'all';
  if (items.length === 0) return undefined;
  let resumeAt = batch.length;
  for (const item of items) {
    const id = itemIdentifierOf(item);
    const index = batch.findIndex((r) => r.dynamodb.SequenceNumber === id);
    // An identifier that is not a record of the batch fails the whole batch.
    if (typeof id !== 'string' || index < 0) return 'all';
    resumeAt = Math.min(resumeAt, index);
  }
  return { resumeAt };
};
