import { setTimeout as delay } from 'node:timers/promises';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import type { StreamEventSourceMapping } from '../src/dynamodb-stream-events';
import { DESCRIBE_MS, DynamoDbStreamPoller } from '../src/dynamodb-stream-poller';
import { startPollLoops } from '../src/poll-loops';
import type { StreamCheckpoints } from '../src/stream-checkpoints';

/** Waits until `done()` holds, checking every 20 ms, for at most `ms`. */
const waitFor = async (what: string, done: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
};

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-12-07T00:00:00.000';

const mapping: StreamEventSourceMapping = {
  logicalId: 'Mapping',
  functionName: 'fn',
  tableName: 't',
  streamArn: ARN,
  batchSize: 25,
  maximumBatchingWindowInSeconds: 0,
  startingPosition: 'TRIM_HORIZON',
  reportBatchItemFailures: false,
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: 0,
  filters: [],
  enabled: true,
};

const record = (n: number) => ({
  eventID: `e${n}`,
  eventName: 'INSERT',
  dynamodb: { Keys: { id: { S: `item-${n}` } }, SequenceNumber: String(n) },
});

/**
 * A stream of one shard that closes after one record, followed by a child shard with a second
 * record; every call the poller makes is counted by its command's name.
 */
const fakeStream = () => {
  const calls: string[] = [];
  let childExists = false;
  const streams = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push(name);
      if (name === 'DescribeStreamCommand') {
        return {
          StreamDescription: {
            Shards: [
              { ShardId: 'parent' },
              ...(childExists ? [{ ShardId: 'child', ParentShardId: 'parent' }] : []),
            ],
          },
        };
      }
      if (name === 'GetShardIteratorCommand')
        return { ShardIterator: `${command.input.ShardId}@0` };
      if (name === 'GetRecordsCommand') {
        const iterator = String(command.input.ShardIterator);
        if (iterator === 'parent@0') return { Records: [record(1)], NextShardIterator: 'parent@1' };
        if (iterator === 'parent@1') return { Records: [], NextShardIterator: 'parent@1' };
        if (iterator === 'parent@closing') {
          childExists = true;
          return { Records: [] };
        }
        if (iterator === 'child@0') return { Records: [record(2)], NextShardIterator: 'child@1' };
        return { Records: [], NextShardIterator: iterator };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { streams: streams as unknown as DynamoDBStreamsClient, calls };
};

describe('DynamoDbStreamPoller: finding shards', () => {
  it('describes the stream once while its shard stays open, and again at once when it closes', async () => {
    const { streams, calls } = fakeStream();
    const delivered: string[] = [];
    const poller = new DynamoDbStreamPoller(mapping, ARN, {
      streams,
      sqs: {} as SQSClient,
      queueUrlOf: () => '',
      invoke: async (_name, payload) => {
        for (const r of (payload as { Records: { eventID: string }[] }).Records) {
          delivered.push(r.eventID);
        }
        return { payload: null };
      },
      checkpoints: { get: () => undefined, save: () => undefined } as unknown as StreamCheckpoints,
      log: () => undefined,
    });
    const loops = startPollLoops([poller], (p, l) => p.pollUntilStopped(l));
    try {
      await waitFor('the first record', () => delivered.length === 1, 5000);
      // A second of rounds on an open shard: reads, and no second description.
      await loops.pause(1000);
      const describes = () => calls.filter((c) => c === 'DescribeStreamCommand').length;
      expect(describes()).to.equal(1);
      expect(calls.filter((c) => c === 'GetRecordsCommand').length).to.be.greaterThan(3);
      expect(DESCRIBE_MS).to.be.greaterThan(1000);

      // The shard closes (no NextShardIterator): its child is found and read without waiting.
      const parent = poller.shards.get('parent');
      if (!parent) throw new Error('the parent shard was not found');
      parent.iterator = 'parent@closing';
      await waitFor('the child shard record', () => delivered.length === 2, 2000);
      expect(delivered).to.deep.equal(['e1', 'e2']);
      expect(describes()).to.equal(2);
    } finally {
      await loops.stop();
    }
  });
});
