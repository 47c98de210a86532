import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type DynamoDbLocal, freePort, startDynamoDbLocal } from '@espresso/local-cloud';
import { expect } from 'chai';
import {
  createMeter,
  failedConditionalWrites,
  itemBytes,
  type Meter,
  operationOf,
  writeUnitsOf,
} from './meter';
import { storedBytes } from './run';

/** A DynamoDB JSON request through the meter (DynamoDB Local checks no signature). */
const dynamo = async (endpoint: string, operation: string, input: unknown) => {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('meter', () => {
  it('names operations from X-Amz-Target, the invoke path and the socket method', () => {
    expect(operationOf('dynamodb', 'POST', '/', 'DynamoDB_20120810.PutItem')).to.equal('PutItem');
    expect(operationOf('lambda', 'POST', '/2015-03-31/functions/orders-x-f/invocations')).to.equal(
      'orders-x-f',
    );
    expect(operationOf('websocket', 'POST', '/@connections/abc')).to.equal('PostToConnection');
  });

  it('sizes items as DynamoDB does: names plus values, 1 write unit per started KB', () => {
    expect(itemBytes({ pk: { S: 'abc' } })).to.equal(2 + 3);
    expect(itemBytes({ ok: { BOOL: true }, n: { N: '12345' } })).to.equal(2 + 1 + 1 + 4);
    expect(writeUnitsOf(0)).to.equal(1);
    expect(writeUnitsOf(1024)).to.equal(1);
    expect(writeUnitsOf(1025)).to.equal(2);
  });

  it('bills a refused write by the existing item, a cancelled transaction twice per write', () => {
    const big = { pk: { S: 'x' }, token: { S: 'a'.repeat(1500) } };
    expect(
      failedConditionalWrites(
        'UpdateItem',
        { TableName: 't' },
        { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', Item: big },
      ),
    ).to.deep.equal([{ table: 't', units: 2 }]);
    expect(
      failedConditionalWrites(
        'DeleteItem',
        { TableName: 't' },
        { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException' },
      ),
    ).to.deep.equal([{ table: 't', units: 1 }]);
    expect(
      failedConditionalWrites(
        'TransactWriteItems',
        {
          TransactItems: [
            { Put: { TableName: 'a', Item: big } },
            { ConditionCheck: { TableName: 'b' } },
            { Update: { TableName: 'c' } },
          ],
        },
        {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, {}],
        },
      ),
    ).to.deep.equal([
      { table: 'a', units: 4 },
      { table: 'c', units: 2 },
    ]);
    // Other errors are not writes AWS bills.
    expect(
      failedConditionalWrites('PutItem', { TableName: 't' }, { __type: 'x#ValidationException' }),
    ).to.deep.equal([]);
  });

  describe('in front of DynamoDB Local', function () {
    this.timeout(60_000);
    let db: DynamoDbLocal;
    let dir: string;
    let meter: Meter;
    let endpoint: string;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'bench-meter-'));
      db = await startDynamoDbLocal({ port: await freePort(), dbPath: dir });
      meter = createMeter();
      endpoint = await meter.interpose('dynamodb', db.endpoint);
      const created = await dynamo(endpoint, 'CreateTable', {
        TableName: 'metered',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      expect(created.status).to.equal(200);
    });
    after(async () => {
      await meter?.stop();
      await db?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('counts the units of writes that succeed and of writes refused by their condition', async () => {
      meter.reset();
      const item = { pk: { S: 'order-1' }, token: { S: 't'.repeat(1500) } };
      const put = await dynamo(endpoint, 'PutItem', {
        TableName: 'metered',
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(put.status).to.equal(200);
      // The same put again: refused, but billed by the existing item's size (2 KB → 2 units).
      const again = await dynamo(endpoint, 'PutItem', {
        TableName: 'metered',
        Item: { pk: { S: 'order-1' } },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
      expect(again.status).to.equal(400);
      expect(String(again.body.__type)).to.match(/ConditionalCheckFailedException$/);
      const update = await dynamo(endpoint, 'UpdateItem', {
        TableName: 'metered',
        Key: { pk: { S: 'order-1' } },
        UpdateExpression: 'SET n = :n',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':n': { N: '1' } },
      });
      expect(update.status).to.equal(400);
      const read = await dynamo(endpoint, 'GetItem', {
        TableName: 'metered',
        Key: { pk: { S: 'order-1' } },
      });
      expect(read.status).to.equal(200);

      const counts = meter.snapshot();
      expect(counts.requests.dynamodb).to.deep.equal({ PutItem: 2, UpdateItem: 1, GetItem: 1 });
      expect(counts.dynamodb.writeUnits).to.equal(2); // the one put that succeeded
      expect(counts.dynamodb.failedConditionalWrites).to.equal(2);
      expect(counts.dynamodb.failedWriteUnits).to.equal(4); // 2 + 2: the existing item's size
      expect(counts.dynamodb.readUnits).to.equal(0.5); // eventually consistent, ≤ 4 KB
      expect(counts.dynamodb.tables.metered).to.deep.include({
        requests: 4,
        writeRequests: 3,
        failedConditionalWrites: 2,
        failedWriteUnits: 4,
      });
    });

    it('sums the bytes stored in every table, items sized as DynamoDB counts them', async () => {
      const before = await storedBytes(db.endpoint);
      const item = { pk: { S: 'order-2' }, n: { N: '42' }, done: { BOOL: false } };
      expect(
        (await dynamo(endpoint, 'PutItem', { TableName: 'metered', Item: item })).status,
      ).to.equal(200);
      expect((await storedBytes(db.endpoint)) - before).to.equal(itemBytes(item));
      expect(itemBytes(item)).to.equal(2 + 7 + 1 + 2 + 4 + 1);
    });
  });
});
