import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LOCAL_ACCOUNT_ID, type Template } from '../src/cloudformation';
import { buildResolveContext } from '../src/context';
import { type DynamoDbLocal, startDynamoDbLocal } from '../src/dynamodb';
import { QUIET_ROUNDS_BEFORE_RESTING } from '../src/dynamodb-stream-poller';
import {
  type DynamoDbStreamEventRecord,
  type StreamEventSourceMapping,
  startStreamPollers,
  streamBatchOutcome,
  streamMappingsFromTemplate,
} from '../src/dynamodb-streams';
import type { InvokeResult } from '../src/lambda';
import { freePort, localCredentials } from '../src/util';

const REGION = 'us-east-1';

/** A stream mapping as serverless writes it for `events: - stream: …` with every option set. */
const template: Template = {
  Resources: {
    OrdersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: 'svc-test-orders',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      },
    },
    FailuresQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-test-failures' } },
    AnnounceLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'svc-test-announce' },
    },
    AnnounceEventSourceMappingDynamodbOrdersTable: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 25,
        MaximumBatchingWindowInSeconds: 1,
        EventSourceArn: { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['AnnounceLambdaFunction', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        Enabled: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] } },
        },
      },
    },
    QueueMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] },
        FunctionName: 'svc-test-announce',
      },
    },
  },
};

const record = (sequence: string): DynamoDbStreamEventRecord => ({
  eventID: sequence,
  eventName: 'INSERT',
  eventVersion: '1.1',
  eventSource: 'aws:dynamodb',
  awsRegion: REGION,
  dynamodb: { SequenceNumber: sequence },
  eventSourceARN: 'arn',
});

describe('DynamoDB stream mappings from a template', () => {
  it('reads every option of a stream mapping and leaves SQS mappings alone', () => {
    const ctx = buildResolveContext([template], REGION, LOCAL_ACCOUNT_ID);

    const mappings = streamMappingsFromTemplate(template, ctx);

    expect(mappings).to.have.length(1);
    const [mapping] = mappings;
    expect(mapping).to.deep.include({
      functionName: 'svc-test-announce',
      tableName: 'svc-test-orders',
      batchSize: 25,
      maximumBatchingWindowInSeconds: 1,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: true,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 2,
      onFailure: `arn:aws:sqs:${REGION}:${LOCAL_ACCOUNT_ID}:svc-test-failures`,
      enabled: true,
    });
    expect(mapping?.filters).to.have.length(1);
    expect(mapping?.filters[0]?.({ eventName: 'INSERT' })).to.equal(true);
    expect(mapping?.filters[0]?.({ eventName: 'MODIFY' })).to.equal(false);
  });

  it('uses Lambda’s defaults when the mapping names only its source and function', () => {
    const bare: Template = {
      Resources: {
        T: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' } },
        M: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { EventSourceArn: { 'Fn::GetAtt': ['T', 'StreamArn'] }, FunctionName: 'f' },
        },
      },
    };
    const [mapping] = streamMappingsFromTemplate(
      bare,
      buildResolveContext([bare], REGION, LOCAL_ACCOUNT_ID),
    );
    expect(mapping).to.deep.include({
      batchSize: 100,
      startingPosition: 'LATEST',
      reportBatchItemFailures: false,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      filters: [],
    });
    expect(mapping).not.to.have.property('onFailure');
  });
});

describe('streamBatchOutcome (how Lambda reads a stream function’s answer)', () => {
  const batch = ['100', '200', '300'].map(record);
  [
    { name: 'no response is success', payload: undefined, expected: undefined },
    { name: 'an empty list is success', payload: { batchItemFailures: [] }, expected: undefined },
    {
      name: 'resumes at the lowest reported sequence number',
      payload: { batchItemFailures: [{ itemIdentifier: '300' }, { itemIdentifier: '200' }] },
      expected: { resumeAt: 1 },
    },
    {
      name: 'fails the whole batch for an identifier not in it',
      payload: { batchItemFailures: [{ itemIdentifier: '999' }] },
      expected: 'all',
    },
    {
      name: 'fails the whole batch for a response that is not an object',
      payload: 'x',
      expected: 'all',
    },
  ].forEach((c) => {
    it(c.name, () => {
      expect(streamBatchOutcome(c.payload, batch, true)).to.deep.equal(c.expected);
    });
  });

  it('ignores the response when the mapping does not report item failures', () => {
    expect(
      streamBatchOutcome({ batchItemFailures: [{ itemIdentifier: '999' }] }, batch, false),
    ).to.equal(undefined);
  });
});

describe('stream pollers on DynamoDB Local', function () {
  this.timeout(60_000);
  let db: DynamoDbLocal;
  let streams: DynamoDBStreamsClient;
  let stateDir: string;
  let table = 0;

  before(async function () {
    this.timeout(60_000);
    db = await startDynamoDbLocal({ port: await freePort(), dbPath: undefined });
    streams = new DynamoDBStreamsClient({
      endpoint: db.endpoint,
      region: REGION,
      credentials: localCredentials,
    });
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-streams-'));
  });
  after(async () => {
    streams?.destroy();
    await db?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const newTable = async () => {
    const name = `streams-${++table}`;
    await db.client.send(
      new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    return name;
  };
  const put = (tableName: string, id: string) =>
    db.client.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id } } }));

  const mappingFor = (
    tableName: string,
    overrides: Partial<StreamEventSourceMapping> = {},
  ): StreamEventSourceMapping => ({
    logicalId: 'M',
    functionName: 'fn',
    tableName,
    streamArn: `arn:aws:dynamodb:${REGION}:${LOCAL_ACCOUNT_ID}:table/${tableName}/stream/local`,
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    startingPosition: 'TRIM_HORIZON',
    reportBatchItemFailures: true,
    bisectBatchOnFunctionError: false,
    maximumRetryAttempts: -1,
    filters: [],
    enabled: true,
    ...overrides,
  });

  /** A function that records the ids it saw per call and answers with `answer`. */
  const recorder = (answer: (ids: string[], call: number) => InvokeResult) => {
    const calls: string[][] = [];
    const invoke = async (_name: string, payload: unknown) => {
      const ids = (payload as { Records: DynamoDbStreamEventRecord[] }).Records.map(
        (r) => ((r.dynamodb.NewImage ?? r.dynamodb.Keys) as { id: { S: string } }).id.S,
      );
      calls.push(ids);
      return answer(ids, calls.length);
    };
    return { calls, invoke, seen: () => calls.flat() };
  };

  const sent: string[] = [];
  const fakeSqs = {
    send: async (command: { input: { MessageBody?: string } }) => {
      sent.push(command.input.MessageBody ?? '');
      return {};
    },
  } as unknown as SQSClient;

  const start = (
    mapping: StreamEventSourceMapping,
    invoke: (name: string, payload: unknown) => Promise<InvokeResult>,
    checkpointFile?: string,
  ) =>
    startStreamPollers({
      dynamodb: db.client,
      streams,
      sqs: fakeSqs,
      queueUrlOf: (arn) => `http://sqs.local/${arn.split(':').pop()}`,
      mappings: [mapping],
      invoke,
      ...(checkpointFile ? { checkpointFile } : {}),
      log: () => undefined,
    });

  it('delivers every insert once, in order, with Lambda’s record shape', async () => {
    const name = await newTable();
    const fn = recorder(() => ({ payload: undefined }));
    for (const id of ['a', 'b', 'c']) await put(name, id);
    const pollers = await start(mappingFor(name), fn.invoke);

    await pollers.idle();
    await put(name, 'd');
    await pollers.idle();
    await pollers.stop();

    expect(fn.seen()).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('reads a stream that has rested at Lambda’s rate (about 4 times a second, not 10) and still delivers what arrives then', async function () {
    this.timeout(30_000);
    const name = await newTable();
    const fn = recorder(() => ({ payload: undefined }));
    /** When each GetRecords was sent (one shard: one read a round). */
    const reads: number[] = [];
    const counting = {
      send: (command: Parameters<DynamoDBStreamsClient['send']>[0]) => {
        if (command instanceof GetRecordsCommand) reads.push(performance.now());
        return streams.send(command);
      },
    } as unknown as DynamoDBStreamsClient;
    const pollers = await startStreamPollers({
      dynamodb: db.client,
      streams: counting,
      sqs: fakeSqs,
      queueUrlOf: (arn) => `http://sqs.local/${arn.split(':').pop()}`,
      mappings: [mappingFor(name)],
      invoke: fn.invoke,
      log: () => undefined,
    });
    try {
      // Past the quiet rounds it rests; then every read comes at least Lambda's 250 ms after
      // the one before (awake, 100 ms plus the request). A busy machine only stretches gaps.
      while (reads.length < QUIET_ROUNDS_BEFORE_RESTING + 8) await delay(50);
      const resting = reads.slice(QUIET_ROUNDS_BEFORE_RESTING + 2);
      const gaps = resting.slice(1).map((at, i) => Math.round(at - (resting[i] as number)));
      expect(Math.min(...gaps), `gaps between reads at rest: ${gaps.join(', ')} ms`).to.be.at.least(
        245,
      );

      await put(name, 'late');
      await pollers.idle();
      expect(fn.seen()).to.deep.equal(['late']);
    } finally {
      await pollers.stop();
    }
  });

  it('delivers only the records the filter matches', async () => {
    const name = await newTable();
    const inserts = recorder(() => ({ payload: undefined }));
    const pollers = await start(
      mappingFor(name, {
        filters: [(r) => (r as { eventName?: string }).eventName === 'INSERT'],
      }),
      inserts.invoke,
    );
    await put(name, 'a');
    await db.client.send(
      new UpdateItemCommand({
        TableName: name,
        Key: { id: { S: 'a' } },
        UpdateExpression: 'SET x = :x',
        ExpressionAttributeValues: { ':x': { S: '1' } },
      }),
    );
    await db.client.send(new DeleteItemCommand({ TableName: name, Key: { id: { S: 'a' } } }));
    await put(name, 'b');

    await pollers.idle();
    await pollers.stop();

    expect(inserts.seen()).to.deep.equal(['a', 'b']);
  });

  it('retries from the first reported failure, so earlier records are not delivered again', async () => {
    const name = await newTable();
    const fn = recorder((_ids, call) =>
      call === 1
        ? { payload: { batchItemFailures: [{ itemIdentifier: 'seq-of-b' }] } }
        : { payload: undefined },
    );
    for (const id of ['a', 'b', 'c']) await put(name, id);
    // The sequence number of `b` is only known once delivered: answer by position instead.
    const pollers = await start(mappingFor(name), async (fnName, payload) => {
      const records = (payload as { Records: DynamoDbStreamEventRecord[] }).Records;
      const result = await fn.invoke(fnName, payload);
      const failed = (result.payload as { batchItemFailures?: unknown[] } | undefined)
        ?.batchItemFailures;
      return failed
        ? {
            payload: {
              batchItemFailures: [{ itemIdentifier: records[1]?.dynamodb.SequenceNumber }],
            },
          }
        : result;
    });

    await pollers.idle();
    await pollers.stop();

    expect(fn.calls).to.deep.equal([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
  });

  it('halves a failing batch, gives up on the poison record after its retries and reports it to the on-failure queue', async () => {
    const name = await newTable();
    sent.length = 0;
    const fn = recorder((ids) =>
      ids.includes('poison')
        ? { payload: { errorMessage: 'boom' }, functionError: 'Unhandled' }
        : { payload: undefined },
    );
    for (const id of ['a', 'poison', 'c', 'd']) await put(name, id);
    const pollers = await start(
      mappingFor(name, {
        reportBatchItemFailures: false,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 2,
        onFailure: `arn:aws:sqs:${REGION}:${LOCAL_ACCOUNT_ID}:failures`,
      }),
      fn.invoke,
    );

    await pollers.idle();
    await pollers.stop();

    const delivered = fn.calls.filter((ids) => !ids.includes('poison')).flat();
    expect(delivered).to.deep.equal(['a', 'c', 'd']);
    expect(sent).to.have.length(1);
    const failure = JSON.parse(sent[0] ?? '{}') as {
      DDBStreamBatchInfo: { batchSize: number; streamArn: string };
      requestContext: { condition: string };
    };
    expect(failure.requestContext.condition).to.equal('RetryAttemptsExhausted');
    expect(failure.DDBStreamBatchInfo).to.deep.include({
      batchSize: 1,
      streamArn: mappingFor(name).streamArn,
    });
  });

  it('resumes after a restart where it left off: nothing lost, nothing replayed', async () => {
    const name = await newTable();
    const checkpointFile = path.join(stateDir, `${name}.json`);
    const first = recorder(() => ({ payload: undefined }));
    await put(name, 'a');
    const pollers = await start(mappingFor(name), first.invoke, checkpointFile);
    await pollers.idle();
    await pollers.stop();
    await put(name, 'b');

    const second = recorder(() => ({ payload: undefined }));
    const again = await start(mappingFor(name), second.invoke, checkpointFile);
    await again.idle();
    await again.stop();

    expect(first.seen()).to.deep.equal(['a']);
    expect(second.seen()).to.deep.equal(['b']);
    expect(Object.keys(JSON.parse(await readFile(checkpointFile, 'utf8')))).to.have.length.above(0);
  });
});
