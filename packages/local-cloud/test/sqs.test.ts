import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { ResolveContext, Template } from '../src/cloudformation';
import { buildResolveContext } from '../src/context';
import { type LocalSqs, startLocalSqs } from '../src/sqs';
import { freePort, sleep, waitFor } from '../src/util';

const REGION = 'eu-west-1';
// Not the emulators' usual 000000000000: the local account must show in URLs and ARNs.
const ACCOUNT = '123456789012';

/** The error a promise rejects with; fails the test when it resolves instead. */
const rejectionOf = async (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
};

const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const md5 = (text: string) => createHash('md5').update(text).digest('hex');

const counts = async (client: SQSClient, url: string) => {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
};

/** A template fragment as `serverless package` writes it for a queue with a dead-letter queue. */
const ordersTemplate = (visibilityTimeout = 60): Template => ({
  Resources: {
    // Declared before its dead-letter queue, which must still be created first.
    OrdersQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'espresso-orders-test-orders',
        VisibilityTimeout: visibilityTimeout,
        ReceiveMessageWaitTimeSeconds: 20,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': ['OrdersDlq', 'Arn'] },
          maxReceiveCount: 3,
        },
      },
    },
    OrdersDlq: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'espresso-orders-test-orders-dlq',
        MessageRetentionPeriod: 1209600,
        KmsMasterKeyId: { Ref: 'OrdersKey' },
      },
    },
    ReceiptsQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: 'espresso-orders-test-receipts.fifo',
        FifoQueue: true,
        ContentBasedDeduplication: true,
        MaximumMessageSize: 262144,
      },
    },
    ProcessOrderLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'espresso-orders-test-processOrder' },
    },
  },
});

describe('local SQS (with the real SQSClient)', () => {
  let sqs: LocalSqs;
  let client: SQSClient;
  let port: number;

  const createQueue = async (attributes: Record<string, string> = {}, name = uniqueName('q')) => {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return String(QueueUrl);
  };

  before(async () => {
    port = await freePort();
    sqs = await startLocalSqs({ port, region: REGION, accountId: ACCOUNT });
    client = sqs.client;
  });

  after(async () => {
    await sqs?.stop();
  });

  it('serves a queue at http://127.0.0.1:<port>/<account>/<name> with an ARN in the local account', async () => {
    const name = uniqueName('orders');
    const url = await createQueue({}, name);
    expect(url).to.equal(`http://127.0.0.1:${port}/${ACCOUNT}/${name}`);
    expect(sqs.endpoint).to.equal(`http://127.0.0.1:${port}`);

    const found = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(found.QueueUrl).to.equal(url);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    expect(Attributes?.QueueArn).to.equal(`arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
  });

  it('creating a queue again with the same attributes returns the same URL', async () => {
    const name = uniqueName('again');
    const first = await createQueue({ VisibilityTimeout: '5' }, name);
    expect(await createQueue({ VisibilityTimeout: '5' }, name)).to.equal(first);
  });

  it('sends and receives a message with its attributes, MD5 and system attributes', async () => {
    const url = await createQueue();
    const body = JSON.stringify({ orderId: 'o-1' });
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: body,
        MessageAttributes: {
          shopId: { DataType: 'String', StringValue: 'demo' },
          total: { DataType: 'Number', StringValue: '450' },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).to.equal(md5(body));

    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    expect(Messages).to.have.length(1);
    const [message] = Messages;
    expect(message?.MessageId).to.equal(sent.MessageId);
    expect(message?.Body).to.equal(body);
    expect(message?.MD5OfBody).to.equal(md5(body));
    expect(message?.MessageAttributes?.shopId).to.deep.include({
      DataType: 'String',
      StringValue: 'demo',
    });
    expect(message?.Attributes).to.include({ ApproximateReceiveCount: '1' });
    expect(message?.Attributes).to.have.keys(
      'ApproximateReceiveCount',
      'ApproximateFirstReceiveTimestamp',
      'SenderId',
      'SentTimestamp',
    );
  });

  it('sends a batch and receives up to ten messages at once', async () => {
    const url = await createQueue();
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).to.have.members(['a', 'b', 'c']);
    expect(sent.Failed ?? []).to.be.empty;

    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((m) => m.Body)).to.have.members(['a', 'b', 'c']);
  });

  it('a long poll returns as soon as a message arrives', async () => {
    const url = await createQueue();
    const started = Date.now();
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await sleep(300);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    const { Messages = [] } = await polling;
    expect(Messages.map((m) => m.Body)).to.deep.equal(['late']);
    expect(Date.now() - started).to.be.within(250, 2000);
  });

  it('a long poll on an empty queue answers with no messages after its wait time', async () => {
    const url = await createQueue();
    const started = Date.now();
    const { Messages } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }),
    );
    expect(Messages ?? []).to.be.empty;
    expect(Date.now() - started).to.be.within(900, 3000);
  });

  it('a long poll whose client aborted takes no message: the next receive gets it at once', async () => {
    const url = await createQueue();
    const aborting = new AbortController();
    const abandoned = client
      .send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }), {
        abortSignal: aborting.signal,
      })
      .catch((error: Error) => error);
    await sleep(200);
    aborting.abort();
    expect(await abandoned).to.be.instanceOf(Error);
    await sleep(100);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'for the next poll' }));
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.Body)).to.deep.equal(['for the next poll']);
    expect(await counts(client, url)).to.include({ visible: 0, inFlight: 1 });
  });

  it('hides a received message for the visibility timeout, then delivers it again', async () => {
    const url = await createQueue({ VisibilityTimeout: '1' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const id = first.Messages?.[0]?.MessageId;
    expect(id).to.be.a('string');

    const during = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(during.Messages ?? []).to.be.empty;
    expect(await counts(client, url)).to.include({ visible: 0, inFlight: 1 });

    // A long poll picks it up as soon as the timeout has passed.
    const started = Date.now();
    const again = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    expect(again.Messages?.[0]?.MessageId).to.equal(id);
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).to.equal('2');
    expect(Date.now() - started).to.be.below(2000);
  });

  it('DeleteMessage and DeleteMessageBatch remove received messages', async () => {
    const url = await createQueue();
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['1', '2', '3'].map((id) => ({ Id: id, MessageBody: `m${id}` })),
      }),
    );
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).to.have.length(3);
    const [one, ...rest] = Messages;
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: one?.ReceiptHandle }),
    );
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: rest.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    expect(deleted.Successful).to.have.length(2);
    expect(await counts(client, url)).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('ChangeMessageVisibility to 0 makes a received message visible at once', async () => {
    const url = await createQueue();
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'back' }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(again.Messages?.[0]?.Body).to.equal('back');
  });

  it('counts visible, in-flight and delayed messages, as depths() does', async () => {
    const name = uniqueName('counted');
    const url = await createQueue({}, name);
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b' }));
    await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 60 }),
    );
    await client.send(new ReceiveMessageCommand({ QueueUrl: url }));

    expect(await counts(client, url)).to.deep.equal({ visible: 1, inFlight: 1, delayed: 1 });
    const depth = (await sqs.depths()).find((d) => d.name === name);
    expect(depth).to.deep.equal({ name, url, visible: 1, inFlight: 1, delayed: 1 });
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    const dlqName = uniqueName('dlq');
    const dlqUrl = await createQueue({}, dlqName);
    const url = await createQueue({
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${dlqName}`,
        maxReceiveCount: 2,
      }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      expect(Messages.map((m) => m.Body)).to.deep.equal(['poison']);
      await client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: Messages[0]?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    }
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(third.Messages ?? []).to.be.empty;
    expect(await counts(client, url)).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }));
    expect(dead.Messages?.map((m) => m.Body)).to.deep.equal(['poison']);
  });

  describe('answers errors as SQS does (names and codes the SDK surfaces)', () => {
    [
      {
        name: 'GetQueueUrl of a missing queue: QueueDoesNotExist',
        call: () => client.send(new GetQueueUrlCommand({ QueueName: uniqueName('missing') })),
        expected: { name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue' },
      },
      {
        name: 'SendMessage to a missing queue URL: QueueDoesNotExist',
        call: () =>
          client.send(
            new SendMessageCommand({
              QueueUrl: `${sqs.endpoint}/${ACCOUNT}/${uniqueName('missing')}`,
              MessageBody: 'x',
            }),
          ),
        expected: { name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue' },
      },
      {
        name: 'ReceiveMessage of more than 10 messages: InvalidParameterValue',
        call: async () =>
          client.send(
            new ReceiveMessageCommand({ QueueUrl: await createQueue(), MaxNumberOfMessages: 11 }),
          ),
        expected: { name: 'InvalidParameterValue', Code: 'InvalidParameterValue' },
      },
      {
        name: 'ChangeMessageVisibility of a message not in flight: MessageNotInflight',
        call: async () =>
          client.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: await createQueue(),
              ReceiptHandle: randomUUID(),
              VisibilityTimeout: 0,
            }),
          ),
        expected: { name: 'MessageNotInflight', Code: 'AWS.SimpleQueueService.MessageNotInflight' },
      },
      {
        name: 'SendMessageBatch with two entries of one id: BatchEntryIdsNotDistinct',
        call: async () =>
          client.send(
            new SendMessageBatchCommand({
              QueueUrl: await createQueue(),
              Entries: [
                { Id: 'same', MessageBody: 'a' },
                { Id: 'same', MessageBody: 'b' },
              ],
            }),
          ),
        expected: {
          name: 'BatchEntryIdsNotDistinct',
          Code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
        },
      },
      {
        name: 'CreateQueue of an existing name with other attributes: QueueNameExists',
        call: async () => {
          const name = uniqueName('taken');
          await createQueue({ VisibilityTimeout: '10' }, name);
          return createQueue({ VisibilityTimeout: '20' }, name);
        },
        expected: { name: 'QueueNameExists', Code: 'QueueAlreadyExists' },
      },
    ].forEach((c) => {
      it(c.name, async () => {
        const error = await rejectionOf(c.call());
        expect(error).to.include(c.expected);
        expect((error.$metadata as { httpStatusCode?: number }).httpStatusCode).to.equal(400);
      });
    });
  });

  describe('createQueuesFromTemplate', () => {
    let ctx: ResolveContext;

    before(() => {
      ctx = buildResolveContext([ordersTemplate()], REGION, ACCOUNT, sqs.endpoint);
    });

    it('creates every queue, dead-letter queues first, where Ref and Fn::GetAtt say', async () => {
      const created = await sqs.createQueuesFromTemplate(ordersTemplate(), ctx);
      expect(created.map((q) => q.logicalId)).to.deep.equal([
        'OrdersDlq',
        'OrdersQueue',
        'ReceiptsQueue',
      ]);
      for (const queue of created) {
        expect(queue.url).to.equal(ctx.refs[queue.logicalId]);
        expect(queue.arn).to.equal(ctx.attributes[`${queue.logicalId}.Arn`]);
        expect(queue.name).to.equal(ctx.attributes[`${queue.logicalId}.QueueName`]);
        const found = await client.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        expect(found.QueueUrl).to.equal(queue.url);
      }
    });

    it('maps the CloudFormation properties to queue attributes, encryption aside', async () => {
      const attributesOf = async (logicalId: string) =>
        (
          await client.send(
            new GetQueueAttributesCommand({
              QueueUrl: ctx.refs[logicalId],
              AttributeNames: ['All'],
            }),
          )
        ).Attributes ?? {};

      const orders = await attributesOf('OrdersQueue');
      expect(orders).to.include({ VisibilityTimeout: '60', ReceiveMessageWaitTimeSeconds: '20' });
      expect(JSON.parse(String(orders.RedrivePolicy))).to.deep.equal({
        deadLetterTargetArn: ctx.attributes['OrdersDlq.Arn'],
        maxReceiveCount: 3,
      });
      const dlq = await attributesOf('OrdersDlq');
      expect(dlq).to.include({ MessageRetentionPeriod: '1209600' });
      expect(dlq).not.to.have.property('KmsMasterKeyId');
      const receipts = await attributesOf('ReceiptsQueue');
      expect(receipts).to.include({
        FifoQueue: 'true',
        ContentBasedDeduplication: 'true',
        MaximumMessageSize: '262144',
      });
    });

    it('run again, keeps the messages of existing queues and takes changed attributes', async () => {
      const url = String(ctx.refs.OrdersQueue);
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));

      await sqs.createQueuesFromTemplate(ordersTemplate(90), ctx);

      expect(await counts(client, url)).to.include({ visible: 1 });
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout'] }),
      );
      expect(Attributes?.VisibilityTimeout).to.equal('90');
    });

    it('refuses a resolve context built for another endpoint', async () => {
      const elsewhere = buildResolveContext(
        [ordersTemplate()],
        REGION,
        ACCOUNT,
        'http://127.0.0.1:1',
      );
      const error = await rejectionOf(sqs.createQueuesFromTemplate(ordersTemplate(), elsewhere));
      expect(error.message).to.match(/build the context with endpoint/);
    });
  });
});

describe('local SQS state file', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'local-sqs-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps queues and messages across a restart; in-flight messages come back visible', async () => {
    const stateFile = path.join(dir, 'restart', 'sqs.json');
    const first = await startLocalSqs({
      port: await freePort(),
      region: REGION,
      accountId: ACCOUNT,
      stateFile,
    });
    let received: string | undefined;
    try {
      const ctx = buildResolveContext([ordersTemplate()], REGION, ACCOUNT, first.endpoint);
      await first.createQueuesFromTemplate(ordersTemplate(), ctx);
      const url = String(ctx.refs.OrdersQueue);
      const fifoUrl = String(ctx.refs.ReceiptsQueue);
      await first.client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
        }),
      );
      const taken = await first.client.send(new ReceiveMessageCommand({ QueueUrl: url }));
      received = taken.Messages?.[0]?.MessageId;
      for (const body of ['first', 'second']) {
        await first.client.send(
          new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: body, MessageGroupId: 'g' }),
        );
      }
      expect(await counts(first.client, url)).to.include({ visible: 2, inFlight: 1 });
    } finally {
      await first.stop();
    }
    expect(existsSync(stateFile)).to.equal(true);

    // On another port: the URLs follow the new endpoint.
    const second = await startLocalSqs({
      port: await freePort(),
      region: REGION,
      accountId: ACCOUNT,
      stateFile,
    });
    try {
      const ctx = buildResolveContext([ordersTemplate()], REGION, ACCOUNT, second.endpoint);
      const url = String(ctx.refs.OrdersQueue);
      const depths = await second.depths();
      expect(depths.map((d) => d.url)).to.have.members(
        ['OrdersQueue', 'OrdersDlq', 'ReceiptsQueue'].map((id) => ctx.refs[id]),
      );
      expect(depths.find((d) => d.url === url)).to.include({ visible: 3, inFlight: 0 });

      const { Messages = [] } = await second.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      expect(Messages.map((m) => m.Body)).to.have.members(['a', 'b', 'c']);
      const again = Messages.find((m) => m.MessageId === received);
      expect(again?.Attributes?.ApproximateReceiveCount).to.equal('2');

      const { Attributes } = await second.client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['RedrivePolicy'] }),
      );
      expect(JSON.parse(String(Attributes?.RedrivePolicy))).to.include({ maxReceiveCount: 3 });

      // A FIFO queue keeps its order.
      const fifoUrl = String(ctx.refs.ReceiptsQueue);
      const bodies: string[] = [];
      for (let i = 0; i < 2; i++) {
        const fifo = await second.client.send(new ReceiveMessageCommand({ QueueUrl: fifoUrl }));
        const [message] = fifo.Messages ?? [];
        bodies.push(String(message?.Body));
        await second.client.send(
          new DeleteMessageCommand({ QueueUrl: fifoUrl, ReceiptHandle: message?.ReceiptHandle }),
        );
      }
      expect(bodies).to.deep.equal(['first', 'second']);
    } finally {
      await second.stop();
    }
  });

  it('saves changes while running, so a crash loses at most the last interval', async () => {
    const stateFile = path.join(dir, 'periodic', 'sqs.json');
    const running = await startLocalSqs({
      port: await freePort(),
      region: REGION,
      accountId: ACCOUNT,
      stateFile,
      saveIntervalMs: 100,
    });
    const copy = path.join(dir, 'periodic', 'copy.json');
    try {
      const { QueueUrl } = await running.client.send(
        new CreateQueueCommand({ QueueName: 'saved' }),
      );
      await running.client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'unsaved?' }));
      await waitFor(async () => {
        expect(await readFile(stateFile, 'utf8')).to.include('unsaved?');
      }, 3000);
      // What a restart after a crash would read: the file as it is now.
      await copyFile(stateFile, copy);
    } finally {
      await running.stop();
    }
    const restarted = await startLocalSqs({
      port: await freePort(),
      region: REGION,
      accountId: ACCOUNT,
      stateFile: copy,
    });
    try {
      expect(await restarted.depths()).to.deep.equal([
        {
          name: 'saved',
          url: `${restarted.endpoint}/${ACCOUNT}/saved`,
          visible: 1,
          inFlight: 0,
          delayed: 0,
        },
      ]);
    } finally {
      await restarted.stop();
    }
  });

  it('refuses to start from a state file it cannot read', async () => {
    const stateFile = path.join(dir, 'broken.json');
    await writeFile(stateFile, '{"version": 1, "queues": [{"name": 3}]}');
    const error = await rejectionOf(
      startLocalSqs({ port: await freePort(), region: REGION, accountId: ACCOUNT, stateFile }),
    );
    expect(error.message).to.match(/state file .* cannot be read/);
  });
});
