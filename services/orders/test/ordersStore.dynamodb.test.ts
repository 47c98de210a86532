import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildOrdersTable } from '../src/adapters/orders';
import { buildQrCodes } from '../src/adapters/qrCodes';
import { ordersStoreContract } from '../src/testing/ordersStoreContract';
import { ordersStack } from './helpers';

/*
 * The orders store's contract (src/testing/ordersStoreContract.ts) on the real adapters and
 * DynamoDB Local, with the tables the service's template declares. The fake passes the same
 * cases (src/testing/ordersStore.fake.test.ts).
 */
let dynamo: DynamoDBDocumentClient | undefined;
let tables: { orders: string; qrCodes: string; counters: string } | undefined;

before(async function () {
  this.timeout(180_000);
  const stack = await ordersStack();
  dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dynamodb.endpoint,
      region: stack.endpoints.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const prefix = `espresso-orders-${stack.stage}`;
  tables = {
    orders: `${prefix}-orders`,
    qrCodes: `${prefix}-qr-codes`,
    counters: `${prefix}-counters`,
  };
});
after(() => dynamo?.destroy());

ordersStoreContract('DynamoDB Local', () => {
  if (!dynamo || !tables) throw new Error('the local stack did not start');
  const client = dynamo;
  const { orders, qrCodes, counters } = tables;
  return {
    orders: buildOrdersTable(client, orders),
    qrCodes: buildQrCodes(client, qrCodes),
    tables: { qrCodes, counters },
    async putOrder(order) {
      await client.send(new PutCommand({ TableName: orders, Item: order }));
    },
    async counter(shopId, counter) {
      const { Item } = await client.send(
        new GetCommand({ TableName: counters, Key: { shopId, counter }, ConsistentRead: true }),
      );
      if (!Item) return undefined;
      return { value: Item.value, ...(Item.ttl === undefined ? {} : { ttl: Item.ttl }) };
    },
    async setCounter(shopId, counter, value) {
      await client.send(new PutCommand({ TableName: counters, Item: { shopId, counter, value } }));
    },
  };
});
