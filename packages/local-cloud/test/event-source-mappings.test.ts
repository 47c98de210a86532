import { createHash, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { ResolveContext, Template } from '../src/cloudformation';
import { buildResolveContext } from '../src/context';
import {
  mappingsFromTemplate,
  reportedFailures,
  type SqsEvent,
  type SqsEventSourceMapping,
  startEventSourceMappings,
} from '../src/event-source-mappings';
import type { InvokeResult } from '../src/lambda';
import { type LocalSqs, startLocalSqs } from '../src/sqs';
import { freePort, sleep, waitFor } from '../src/util';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const SQS_ENDPOINT = 'http://127.0.0.1:4999';
const FUNCTION = 'espresso-orders-test-processOrder';

/** Mappings as `serverless package` writes them for `sqs` events (and one stream event). */
const template: Template = {
  Resources: {
    ProcessOrderLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: FUNCTION },
    },
    OrdersQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: 'espresso-orders-test-orders' },
    },
    OrdersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'espresso-orders-test-orders' },
    },
    ProcessOrderEventSourceMappingSQSOrdersQueue: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 2,
        EventSourceArn: { 'Fn::GetAtt': ['OrdersQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['ProcessOrderLambdaFunction', 'Arn'] },
        Enabled: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    },
    ProcessOrderEventSourceMappingDynamodbOrdersTable: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 10,
        EventSourceArn: { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['ProcessOrderLambdaFunction', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
      },
    },
    // A queue of another service, passed in as a compose param.
    ProcessOrderEventSourceMappingSQSTickets: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:espresso-kitchen-test-tickets`,
        FunctionName: { Ref: 'ProcessOrderLambdaFunction' },
        Enabled: false,
      },
    },
  },
};

describe('mappingsFromTemplate', () => {
  const ctx = buildResolveContext([template], REGION, ACCOUNT, SQS_ENDPOINT);

  it('reads the SQS event source mappings, with the function name and the queue URL', () => {
    expect(mappingsFromTemplate(template, ctx)).to.deep.equal([
      {
        functionName: FUNCTION,
        queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:espresso-orders-test-orders`,
        queueUrl: `${SQS_ENDPOINT}/${ACCOUNT}/espresso-orders-test-orders`,
        batchSize: 5,
        maximumBatchingWindowInSeconds: 2,
        reportBatchItemFailures: true,
        enabled: true,
      },
      {
        functionName: FUNCTION,
        queueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:espresso-kitchen-test-tickets`,
        queueUrl: `${SQS_ENDPOINT}/${ACCOUNT}/espresso-kitchen-test-tickets`,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        reportBatchItemFailures: false,
        enabled: false,
      },
    ]);
  });

  it("builds the URL of another template's queue from the endpoint it is given", () => {
    const [resource] = [template.Resources.ProcessOrderEventSourceMappingSQSTickets];
    const alone: Template = {
      Resources: {
        ProcessOrderLambdaFunction: template.Resources.ProcessOrderLambdaFunction as never,
        Mapping: resource as never,
      },
    };
    const aloneCtx: ResolveContext = buildResolveContext([alone], REGION, ACCOUNT, SQS_ENDPOINT);
    expect(() => mappingsFromTemplate(alone, aloneCtx)).to.throw(/no local SQS endpoint/);
    expect(
      mappingsFromTemplate(alone, aloneCtx, 'http://127.0.0.1:4103').map((m) => m.queueUrl),
    ).to.deep.equal([`http://127.0.0.1:4103/${ACCOUNT}/espresso-kitchen-test-tickets`]);
  });
});

describe('reportedFailures (a ReportBatchItemFailures response, as Lambda reads it)', () => {
  const batch = new Set(['m1', 'm2', 'm3']);
  [
    { name: 'no response: none failed', payload: null, expected: [] },
    { name: 'an empty object: none failed', payload: {}, expected: [] },
    { name: 'an empty list: none failed', payload: { batchItemFailures: [] }, expected: [] },
    { name: 'a null list: none failed', payload: { batchItemFailures: null }, expected: [] },
    {
      name: 'listed messages of the batch: those failed',
      payload: { batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }] },
      expected: ['m1', 'm3'],
    },
    {
      name: 'an empty itemIdentifier: the whole batch failed',
      payload: { batchItemFailures: [{ itemIdentifier: '' }] },
      expected: 'whole batch',
    },
    {
      name: 'a null itemIdentifier: the whole batch failed',
      payload: { batchItemFailures: [{ itemIdentifier: null }] },
      expected: 'whole batch',
    },
    {
      name: 'a misspelt key: the whole batch failed',
      payload: { batchItemFailures: [{ itemIdentifer: 'm1' }] },
      expected: 'whole batch',
    },
    {
      name: 'an id not in the batch: the whole batch failed',
      payload: { batchItemFailures: [{ itemIdentifier: 'm9' }] },
      expected: 'whole batch',
    },
    {
      name: 'a response that is not an object: the whole batch failed',
      payload: 'ok',
      expected: 'whole batch',
    },
  ].forEach((c) => {
    it(c.name, () => {
      const result = reportedFailures(c.payload, batch);
      if (c.expected === 'whole batch') expect(result).to.be.a('string');
      else expect([...(result as Set<string>)]).to.have.members(c.expected as string[]);
    });
  });
});

describe('startEventSourceMappings (against the local SQS)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  const logged: string[] = [];
  const log = (line: string) => logged.push(line);

  before(async () => {
    sqs = await startLocalSqs({ port: await freePort(), region: REGION, accountId: ACCOUNT });
    client = sqs.client;
  });

  after(async () => {
    await sqs?.stop();
  });

  const createQueue = async (attributes: Record<string, string> = {}) => {
    const name = `q-${randomUUID().slice(0, 8)}`;
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return { url: String(QueueUrl), arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`, name };
  };

  const send = async (url: string, bodies: string[]) => {
    for (let i = 0; i < bodies.length; i += 10) {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `e${j}`, MessageBody: body })),
        }),
      );
    }
  };

  const mappingFor = (
    queue: { url: string; arn: string },
    overrides: Partial<SqsEventSourceMapping> = {},
  ): SqsEventSourceMapping => ({
    functionName: FUNCTION,
    queueArn: queue.arn,
    queueUrl: queue.url,
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    reportBatchItemFailures: false,
    enabled: true,
    ...overrides,
  });

  /** A fake `invoke` that records every event and answers with `respond`. */
  const recorder = (
    respond: (event: SqsEvent) => InvokeResult | Promise<InvokeResult> = () => ({ payload: null }),
  ) => {
    const events: SqsEvent[] = [];
    return {
      events,
      invoke: async (name: string, payload: unknown) => {
        expect(name).to.equal(FUNCTION);
        events.push(payload as SqsEvent);
        return respond(payload as SqsEvent);
      },
    };
  };

  const depthOf = async (url: string) => {
    const depth = (await sqs.depths()).find((d) => d.url === url);
    if (!depth) throw new Error(`no queue ${url}`);
    return depth;
  };

  it("invokes the function with an SQS event shaped as Lambda's, then deletes the batch", async () => {
    const queue = await createQueue();
    const { events, invoke } = recorder(async () => {
      await sleep(200);
      return { payload: null };
    });
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue)],
      invoke,
      log,
    });
    try {
      const sent = await client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: '{"orderId":"o-1"}',
          MessageAttributes: { shopId: { DataType: 'String', StringValue: 'demo' } },
        }),
      );
      await waitFor(async () => expect(events).to.have.length(1), 3000);
      // Still processing: idle() waits for the batch.
      await mappings.idle();
      expect(await depthOf(queue.url)).to.include({ visible: 0, inFlight: 0 });

      const record = events[0]?.Records[0];
      expect(record).to.deep.include({
        messageId: sent.MessageId,
        body: '{"orderId":"o-1"}',
        md5OfBody: createHash('md5').update('{"orderId":"o-1"}').digest('hex'),
        md5OfMessageAttributes: sent.MD5OfMessageAttributes,
        messageAttributes: {
          shopId: {
            stringValue: 'demo',
            stringListValues: [],
            binaryListValues: [],
            dataType: 'String',
          },
        },
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: REGION,
      });
      expect(record?.receiptHandle).to.be.a('string').and.not.empty;
      expect(Object.keys(record?.attributes ?? {})).to.deep.equal([
        'ApproximateReceiveCount',
        'SentTimestamp',
        'SenderId',
        'ApproximateFirstReceiveTimestamp',
      ]);
      expect(record?.attributes.ApproximateReceiveCount).to.equal('1');
    } finally {
      await mappings.stop();
    }
  });

  it('invokes with at most batchSize records', async () => {
    const queue = await createQueue();
    const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await send(queue.url, bodies);
    const { events, invoke } = recorder();
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue, { batchSize: 4 })],
      invoke,
      log,
    });
    try {
      await mappings.idle();
    } finally {
      await mappings.stop();
    }
    const sizes = events.map((e) => e.Records.length);
    expect(Math.max(...sizes)).to.equal(4);
    expect(events.flatMap((e) => e.Records.map((r) => r.body))).to.have.members(bodies);
    expect(await depthOf(queue.url)).to.include({ visible: 0, inFlight: 0 });
  });

  it('gathers the messages that arrive within the batching window into one batch', async () => {
    const queue = await createQueue();
    const { events, invoke } = recorder();
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue, { maximumBatchingWindowInSeconds: 1 })],
      invoke,
      log,
    });
    try {
      for (const body of ['one', 'two', 'three']) {
        await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
        await sleep(200);
      }
      await waitFor(async () => expect(events).to.have.length(1), 3000);
      await mappings.idle();
    } finally {
      await mappings.stop();
    }
    expect(events).to.have.length(1);
    expect(events[0]?.Records.map((r) => r.body)).to.deep.equal(['one', 'two', 'three']);
  });

  it('invokes as soon as the batch is full, before the batching window ends', async () => {
    const queue = await createQueue();
    const { events, invoke } = recorder();
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue, { batchSize: 3, maximumBatchingWindowInSeconds: 10 })],
      invoke,
      log,
    });
    try {
      const started = Date.now();
      await send(queue.url, ['a', 'b', 'c']);
      await waitFor(async () => expect(events).to.have.length(1), 3000);
      expect(Date.now() - started).to.be.below(1500);
      expect(events[0]?.Records).to.have.length(3);
    } finally {
      await mappings.stop();
    }
  });

  it('with ReportBatchItemFailures, deletes all but the reported messages', async () => {
    const queue = await createQueue();
    await send(queue.url, ['a', 'b', 'c', 'd']);
    const { events, invoke } = recorder((event) => ({
      payload: {
        batchItemFailures: event.Records.filter((r) => ['b', 'd'].includes(r.body)).map((r) => ({
          itemIdentifier: r.messageId,
        })),
      },
    }));
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue, { reportBatchItemFailures: true })],
      invoke,
      log,
    });
    try {
      // The failed ones wait out their visibility timeout (30 s): idle() does not wait for them.
      await mappings.idle();
    } finally {
      await mappings.stop();
    }
    expect(events).to.have.length(1);
    expect(await depthOf(queue.url)).to.include({ visible: 0, inFlight: 2 });
    // Which two are left: SQS refuses a visibility change for a deleted message
    // (MessageNotInflight) and takes it for one in flight. Nothing is made visible or received,
    // so nothing else can take one meanwhile (a stopped poller's aborted long poll could: a
    // clean-clone run under load once saw 'b' taken so when this test received the two).
    const outcomes = await Promise.all(
      (events[0]?.Records ?? []).map(async (record) => {
        const outcome = await client
          .send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: queue.url,
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: 60,
            }),
          )
          .then(
            () => 'in flight',
            (error: Error) => error.name,
          );
        return `${record.body}: ${outcome}`;
      }),
    );
    expect(outcomes.sort()).to.deep.equal([
      'a: MessageNotInflight',
      'b: in flight',
      'c: MessageNotInflight',
      'd: in flight',
    ]);
  });

  describe('what the function answers decides what is deleted', () => {
    const cases: {
      name: string;
      reportBatchItemFailures: boolean;
      respond: (event: SqsEvent) => InvokeResult;
      left: number;
    }[] = [
      {
        name: 'an empty itemIdentifier fails the whole batch',
        reportBatchItemFailures: true,
        respond: () => ({ payload: { batchItemFailures: [{ itemIdentifier: '' }] } }),
        left: 2,
      },
      {
        name: 'an itemIdentifier that is no message of the batch fails the whole batch',
        reportBatchItemFailures: true,
        respond: () => ({ payload: { batchItemFailures: [{ itemIdentifier: 'not-a-message' }] } }),
        left: 2,
      },
      {
        name: 'an empty batchItemFailures list deletes the whole batch',
        reportBatchItemFailures: true,
        respond: () => ({ payload: { batchItemFailures: [] } }),
        left: 0,
      },
      {
        name: 'a function error leaves the whole batch',
        reportBatchItemFailures: true,
        respond: () => ({
          payload: { errorType: 'Error', errorMessage: 'boom' },
          functionError: 'Unhandled',
        }),
        left: 2,
      },
      {
        name: 'without ReportBatchItemFailures, reported failures are ignored',
        reportBatchItemFailures: false,
        respond: (event) => ({
          payload: { batchItemFailures: [{ itemIdentifier: event.Records[0]?.messageId }] },
        }),
        left: 0,
      },
    ];
    const queues = new Map<string, string>();

    before(async () => {
      // One poller per case, all at once.
      const mappings: SqsEventSourceMapping[] = [];
      const byFunction = new Map<string, (typeof cases)[number]>();
      for (const c of cases) {
        const queue = await createQueue();
        await send(queue.url, ['x', 'y']);
        queues.set(c.name, queue.url);
        const functionName = `fn-${queue.name}`;
        byFunction.set(functionName, c);
        mappings.push({
          ...mappingFor(queue, { reportBatchItemFailures: c.reportBatchItemFailures }),
          functionName,
        });
      }
      const running = startEventSourceMappings({
        sqs: client,
        mappings,
        invoke: async (name, payload) => {
          const c = byFunction.get(name);
          if (!c) throw new Error(`unexpected function ${name}`);
          return c.respond(payload as SqsEvent);
        },
        log,
      });
      try {
        await running.idle();
      } finally {
        await running.stop();
      }
    });

    cases.forEach((c) => {
      it(`${c.name} (${c.left} of 2 messages left)`, async () => {
        const depth = await depthOf(String(queues.get(c.name)));
        expect(depth.visible + depth.inFlight).to.equal(c.left);
      });
    });
  });

  it('a failing invoke leaves the batch, which reaches the dead-letter queue after maxReceiveCount', async () => {
    const dlq = await createQueue();
    const queue = await createQueue({
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await send(queue.url, ['p1', 'p2']);
    const { events, invoke } = recorder(() => {
      throw new Error('connection refused');
    });
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue)],
      invoke,
      log,
    });
    try {
      await waitFor(async () => expect(await depthOf(dlq.url)).to.include({ visible: 2 }), 8000);
      await mappings.idle();
    } finally {
      await mappings.stop();
    }
    expect(events.map((e) => e.Records.map((r) => r.body).sort())).to.deep.equal([
      ['p1', 'p2'],
      ['p1', 'p2'],
    ]);
    expect(events.map((e) => e.Records[0]?.attributes.ApproximateReceiveCount)).to.deep.equal([
      '1',
      '2',
    ]);
    expect(await depthOf(queue.url)).to.include({ visible: 0, inFlight: 0, delayed: 0 });
    expect(logged.some((line) => line.includes('connection refused'))).to.equal(true);
  });

  it('stop() ends the long polls at once and leaves the next message to others', async () => {
    const queue = await createQueue();
    const { events, invoke } = recorder();
    const mappings = startEventSourceMappings({
      sqs: client,
      mappings: [mappingFor(queue)],
      invoke,
      log,
    });
    await sleep(200);
    const started = Date.now();
    await mappings.stop();
    expect(Date.now() - started).to.be.below(500);

    // The abandoned long poll must not take this message.
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'after stop' }));
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url }));
    expect(Messages.map((m) => m.Body)).to.deep.equal(['after stop']);
    expect(events).to.be.empty;
  });
});
