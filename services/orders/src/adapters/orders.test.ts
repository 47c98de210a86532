import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { orderItemKeys } from './orderKeys';
import { buildOrdersTable } from './orders';

let dynamo: AwsClientStub<DynamoDBDocumentClient>;
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

const base = {
  orderId: '0b7c3a52-3f57-4f55-9a59-8a1a3a0f2c11',
  shopId: 'cafe',
  customerId: 'u1',
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
};
const awaiting = {
  ...base,
  status: 'AWAITING_SELECTION' as const,
  ...orderItemKeys({ ...base, status: 'AWAITING_SELECTION' }),
};
const chosen = {
  ...base,
  status: 'QUEUED' as const,
  drinkId: 'latte',
  modifiers: {},
  submittedAt: '2026-11-25T10:00:03.000Z',
  ...orderItemKeys({ ...base, status: 'QUEUED', submittedAt: '2026-11-25T10:00:03.000Z' }),
};

const timedOut = {
  ...chosen,
  status: 'TIMED_OUT' as const,
  reason: 'CUSTOMER_TIMEOUT' as const,
  finishedAt: '2026-11-25T10:00:05.000Z',
  ...orderItemKeys({ ...chosen, status: 'TIMED_OUT' }),
};

describe('orders table adapter', () => {
  // One mock for every test here, made when they start (not when mocha loads the file, where
  // another file's mock of the same client, made and restored in between, would undo it) and
  // restored before any other file's test runs.
  before(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });
  after(() => dynamo.restore());

  describe('end', () => {
    afterEach(() => dynamo.reset());

    it('writes the ending conditional on the status it read, and reads again when the order moved in between', async () => {
      dynamo
        .on(GetCommand)
        .resolvesOnce({ Item: awaiting })
        .resolvesOnce({ Item: chosen })
        .resolves({ Item: timedOut });
      dynamo
        .on(UpdateCommand)
        .rejectsOnce(new ConditionalCheckFailedException({ message: 'moved', $metadata: {} }))
        .resolves({});
      const table = buildOrdersTable(client, 'orders');

      const { changed } = await table.end({
        shopId: 'cafe',
        orderId: base.orderId,
        status: {
          to: 'TIMED_OUT',
          from: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'],
          set: { reason: 'CUSTOMER_TIMEOUT' },
        },
      });

      expect(changed).to.equal(true);
      const updates = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(updates).to.have.length(2);
      expect(updates.map((u) => u.ExpressionAttributeValues?.[':read'])).to.deep.equal([
        'AWAITING_SELECTION',
        'QUEUED',
      ]);
      // The second write's index key is the chosen order's: placed when the drink was chosen.
      expect(updates[1]?.ExpressionAttributeValues?.[':gsi1sk']).to.equal(
        `${chosen.submittedAt}#${base.orderId}`,
      );
    });

    it('changes nothing when the order already left the statuses the ending may come from', async () => {
      dynamo.on(GetCommand).resolves({ Item: timedOut });
      const table = buildOrdersTable(client, 'orders');

      const { changed } = await table.end({
        shopId: 'cafe',
        orderId: base.orderId,
        status: { to: 'TIMED_OUT', from: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'], set: {} },
      });

      expect(changed).to.equal(false);
      expect(dynamo.commandCalls(UpdateCommand)).to.have.length(0);
    });
  });

  const ME = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:me';
  const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:other';

  /** A cancelled transaction, with one reason code per item as DynamoDB reports them. */
  const cancelled = (...codes: string[]) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });

  describe('admit', () => {
    afterEach(() => dynamo.reset());

    const admit = () =>
      buildOrdersTable(client, 'orders').admit({
        shopId: 'cafe',
        orderId: base.orderId,
        executionArn: ME,
        slots: { table: 'counters', max: 3 },
      });

    it('takes the order and a slot in one transaction, each conditional', async () => {
      dynamo.on(TransactWriteCommand).resolves({});

      expect(await admit()).to.equal('ADMITTED');

      const [call] = dynamo.commandCalls(TransactWriteCommand);
      const [order, counter] = call?.args[0].input.TransactItems ?? [];
      expect(order?.Update).to.deep.include({
        TableName: 'orders',
        UpdateExpression: 'SET #execution = :me, #slot = :held',
        ConditionExpression:
          'attribute_exists(pk) AND (attribute_not_exists(#execution) OR #execution = :me) AND attribute_not_exists(#slot)',
      });
      expect(order?.Update?.ExpressionAttributeValues).to.deep.equal({
        ':me': ME,
        ':held': 'HELD',
      });
      expect(counter?.Update).to.deep.include({
        TableName: 'counters',
        Key: { shopId: 'cafe', counter: 'OPEN_ORDERS' },
        UpdateExpression: 'ADD #value :one',
        ConditionExpression: 'attribute_not_exists(#value) OR #value < :max',
      });
      expect(counter?.Update?.ExpressionAttributeValues).to.deep.equal({ ':one': 1, ':max': 3 });
    });

    [
      {
        name: 'answers ADMITTED to a retry whose first attempt took the slot, taking no other',
        input: { ...awaiting, executionArn: ME, slot: 'HELD' },
        expected: 'ADMITTED',
      },
      {
        name: 'answers DUPLICATE when another execution carries the order',
        input: { ...awaiting, executionArn: OTHER, slot: 'HELD' },
        expected: 'DUPLICATE',
      },
      {
        name: 'answers DUPLICATE for an order that does not exist',
        input: undefined,
        expected: 'DUPLICATE',
      },
    ].forEach((c) => {
      it(c.name, async () => {
        dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
        dynamo.on(GetCommand).resolves({ Item: c.input });

        expect(await admit()).to.equal(c.expected);
        expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(1);
        expect(dynamo.commandCalls(UpdateCommand)).to.have.length(0);
      });
    });

    it('answers AT_CAPACITY when the shop is full, only taking the order for the execution', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
      dynamo.on(UpdateCommand).resolves({});

      expect(await admit()).to.equal('AT_CAPACITY');

      const [claim] = dynamo.commandCalls(UpdateCommand).map((c) => c.args[0].input);
      expect(claim).to.deep.include({ UpdateExpression: 'SET #execution = :me' });
      expect(claim?.ExpressionAttributeValues).to.deep.equal({ ':me': ME });
    });

    it('tries again when a concurrent transaction on the counter cancelled it', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'TransactionConflict'))
        .resolves({});

      expect(await admit()).to.equal('ADMITTED');
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(2);
    });
  });

  describe('place', () => {
    afterEach(() => dynamo.reset());

    const place = () =>
      buildOrdersTable(client, 'orders').place({
        order: awaiting,
        qr: { table: 'qr-codes', bucket: 1, code: 'c0de' },
        daily: { table: 'counters', counter: 'CUSTOMER#u1#DAY#2026-11-25', limit: 5, ttl: 1 },
      });

    it('tries again when a concurrent transaction on the code cancelled it', async () => {
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('TransactionConflict', 'None', 'None'))
        .resolves({});

      expect(await place()).to.equal(undefined);
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(2);
    });

    it('answers CONTENDED only when every attempt clashed', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('TransactionConflict', 'None', 'None'));

      expect(await place()).to.equal('CONTENDED');
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(5);
    });

    it('answers CODE_USED_UP at once, without trying again', async () => {
      dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None', 'None'));

      expect(await place()).to.equal('CODE_USED_UP');
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(1);
    });
  });

  describe('end with the slot', () => {
    afterEach(() => dynamo.reset());

    const held = { ...chosen, executionArn: ME, slot: 'HELD' as const };
    const end = () =>
      buildOrdersTable(client, 'orders').end({
        shopId: 'cafe',
        orderId: base.orderId,
        status: { to: 'TIMED_OUT', from: ['QUEUED'], set: { reason: 'BARISTA_TIMEOUT' } },
        slot: { table: 'counters' },
        executionArn: ME,
      });

    it('writes the ending and gives back the slot in one transaction', async () => {
      dynamo.on(GetCommand).resolvesOnce({ Item: held }).resolves({ Item: timedOut });
      dynamo.on(TransactWriteCommand).resolves({});

      const result = await end();

      expect(result).to.deep.include({ changed: true, released: true });
      expect(dynamo.commandCalls(UpdateCommand)).to.have.length(0);
      const [call] = dynamo.commandCalls(TransactWriteCommand);
      const [order, counter] = call?.args[0].input.TransactItems ?? [];
      expect(order?.Update?.ConditionExpression).to.equal(
        'attribute_exists(pk) AND #status = :read AND #slot = :held AND (attribute_not_exists(#executionArn) OR #executionArn = :executionArn)',
      );
      expect(order?.Update?.ExpressionAttributeValues).to.deep.include({
        ':status': 'TIMED_OUT',
        ':slot': 'RELEASED',
        ':read': 'QUEUED',
        ':held': 'HELD',
      });
      expect(counter?.Update).to.deep.include({
        TableName: 'counters',
        Key: { shopId: 'cafe', counter: 'OPEN_ORDERS' },
        UpdateExpression: 'ADD #value :minusOne',
      });
    });

    it('gives back the slot on the order alone when the counter is already at zero', async () => {
      dynamo
        .on(GetCommand)
        .resolvesOnce({ Item: held })
        .resolvesOnce({ Item: held })
        .resolves({ Item: timedOut });
      dynamo
        .on(TransactWriteCommand)
        .rejectsOnce(cancelled('None', 'ConditionalCheckFailed'))
        .resolves({});

      expect(await end()).to.deep.include({ released: true });

      const items = dynamo
        .commandCalls(TransactWriteCommand)
        .map((c) => c.args[0].input.TransactItems);
      expect(items.map((i) => i?.length)).to.deep.equal([2, 1]);
    });

    it('only writes the ending of an order that holds no slot', async () => {
      dynamo.on(GetCommand).resolvesOnce({ Item: chosen }).resolves({ Item: timedOut });
      dynamo.on(UpdateCommand).resolves({});

      expect(await end()).to.deep.include({ changed: true, released: false });
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(0);
    });

    it('leaves alone an order another execution carries', async () => {
      dynamo.on(GetCommand).resolves({ Item: { ...held, executionArn: OTHER } });

      expect(await end()).to.deep.include({ changed: false, released: false });
      expect(dynamo.commandCalls(TransactWriteCommand)).to.have.length(0);
      expect(dynamo.commandCalls(UpdateCommand)).to.have.length(0);
    });
  });
});
