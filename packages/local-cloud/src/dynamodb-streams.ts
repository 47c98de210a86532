import { setTimeout as delay } from 'node:timers/promises';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StreamEventSourceMapping } from './dynamodb-stream-events';
import { DynamoDbStreamPoller, POLL_MS } from './dynamodb-stream-poller';
import type { InvokeLambda } from './lambda';
import { startPollLoops } from './poll-loops';
import { StreamCheckpoints } from './stream-checkpoints';

export {
  type DynamoDbStreamEventRecord,
  lambdaRecordOf,
  type StreamEventSourceMapping,
  streamBatchOutcome,
  streamMappingsFromTemplate,
} from './dynamodb-stream-events';
export { LOCAL_RETRY_CAP } from './dynamodb-stream-poller';

export interface StreamPollers {
  stop(): Promise<void>;
  /** Resolves once every shard has been read to its end and no batch is being processed. */
  idle(): Promise<void>;
  /** The pollers `idle` waits for, one line each. */
  pending(): string[];
}

/** The stream ARN DynamoDB Local gave the mapping's table. */
const localStreamArn = async (
  dynamodb: DynamoDBClient,
  mapping: StreamEventSourceMapping,
): Promise<string> => {
  const table = await dynamodb.send(new DescribeTableCommand({ TableName: mapping.tableName }));
  const localArn = table.Table?.LatestStreamArn;
  if (!localArn) {
    throw new Error(
      `${mapping.logicalId}: table ${mapping.tableName} has no stream (StreamSpecification missing?)`,
    );
  }
  return localArn;
};

const isSettling = (poller: DynamoDbStreamPoller) => poller.busy || poller.quietRounds < 2;

/**
 * Reads each enabled mapping's stream from DynamoDB Local as Lambda's stream poller does (see
 * `DynamoDbStreamPoller`). Where each shard was read up to is kept in `checkpointFile` (when
 * given), so a restart neither loses nor replays records.
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
  const { streams, sqs, queueUrlOf, invoke } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  const checkpoints = await StreamCheckpoints.load(options.checkpointFile, log);
  const clients = { streams, sqs, queueUrlOf, invoke, checkpoints, log };
  const pollers = await Promise.all(
    options.mappings
      .filter((mapping) => mapping.enabled)
      .map(
        async (mapping) =>
          new DynamoDbStreamPoller(
            mapping,
            await localStreamArn(options.dynamodb, mapping),
            clients,
          ),
      ),
  );
  const loops = startPollLoops(pollers, (poller, l) => poller.pollUntilStopped(l));
  return {
    stop: async () => {
      await loops.stop();
      await checkpoints.flushed();
    },
    pending: () =>
      pollers
        .filter(isSettling)
        .map((p) => `${p.label} ${p.busy ? 'delivering' : `quiet rounds ${p.quietRounds}`}`),
    idle: async () => {
      // Two quiet rounds after the call: every record written before it has been read.
      for (const poller of pollers) poller.quietRounds = 0;
      while (!loops.signal.aborted && pollers.some(isSettling)) {
        await delay(POLL_MS / 4);
      }
    },
  };
};
