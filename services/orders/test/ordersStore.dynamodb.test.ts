import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_ACCOUNT_ID, type Template, tablesFromTemplate } from '@espresso/local-cloud';
import { buildOrdersTable } from '../src/adapters/orders';
import { buildQrCodes } from '../src/adapters/qrCodes';
import { ordersStoreContract } from '../src/testing/ordersStoreContract';
import { ordersStack } from './helpers';

/*
 * The orders store's contract (src/testing/ordersStoreContract.ts) on the real adapters and
 * DynamoDB Local, with the tables the service's template declares. The fake passes the same
 * cases (src/testing/ordersStore.fake.test.ts).
 *
 * The tables are copies of the stack's (`-contract`, without a stream): the orders its cases
 * write by hand must not reach the stack's outbox stream, whose publisher would refuse them
 * and hold back the other tests' orders.
 */

/** Creates the template's tables under `<name>-contract`, without streams; their names by table. */
const contractTables = async (client: DynamoDBClient, template: Template, region: string) => {
  const ctx = { region, accountId: LOCAL_ACCOUNT_ID, refs: {}, attributes: {} };
  const names: Record<string, string> = {};
  for (const { input } of tablesFromTemplate(template, ctx)) {
    const { StreamSpecification: _stream, ...table } = input;
    const name = `${String(input.TableName)}-contract`;
    await client.send(new CreateTableCommand({ ...table, TableName: name }));
    names[String(input.TableName)] = name;
  }
  return names;
};

let dynamo: DynamoDBDocumentClient | undefined;
let tables: { orders: string; qrCodes: string; counters: string } | undefined;

before(async function () {
  this.timeout(180_000);
  const stack = await ordersStack();
  const region = stack.endpoints.aws.region;
  const base = new DynamoDBClient({
    endpoint: stack.dynamodb.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  dynamo = DynamoDBDocumentClient.from(base, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const template = stack.templates.orders;
  if (!template) throw new Error('the stack has no orders template');
  const names = await contractTables(base, template, region);
  const prefix = `espresso-orders-${stack.stage}`;
  const named = (table: string) => {
    const name = names[`${prefix}-${table}`];
    if (!name) throw new Error(`the orders template declares no ${table} table`);
    return name;
  };
  tables = { orders: named('orders'), qrCodes: named('qr-codes'), counters: named('counters') };
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
