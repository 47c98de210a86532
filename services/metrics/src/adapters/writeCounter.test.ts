import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { countWrites, writeRequestsOf } from './writeCounter';

describe('writeCounter', () => {
  [
    { name: 'an UpdateItem', command: 'UpdateItemCommand', input: {}, expected: 1 },
    { name: 'a PutItem', command: 'PutItemCommand', input: {}, expected: 1 },
    { name: 'a GetItem', command: 'GetItemCommand', input: {}, expected: 0 },
    { name: 'a Query', command: 'QueryCommand', input: {}, expected: 0 },
    {
      name: 'a transaction of 3 items',
      command: 'TransactWriteItemsCommand',
      input: { TransactItems: [{}, {}, {}] },
      expected: 3,
    },
    {
      name: 'a batch write over two tables',
      command: 'BatchWriteItemCommand',
      input: { RequestItems: { a: [{}, {}], b: [{}] } },
      expected: 3,
    },
  ].forEach((c) => {
    it(`counts ${c.name} as ${c.expected}`, () => {
      expect(writeRequestsOf(c.command, c.input)).to.equal(c.expected);
    });
  });

  it('counts what the client sends, before it leaves (no network: the request fails after)', async () => {
    // The SDK's notice that its 2027 releases need Node 22 is known (TOOLCHAIN.md).
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const writes = countWrites(client);
    // Stop every request before the network: the counter sits before this middleware.
    client.middlewareStack.add(
      () => async () => {
        throw new Error('no network in unit tests');
      },
      { step: 'build', name: 'stop' },
    );
    const key = { TableName: 't', Key: { shopId: { S: 'a' } } };
    await client.send(new UpdateItemCommand(key)).catch(() => undefined);
    await client.send(new GetItemCommand(key)).catch(() => undefined);
    await client.send(new UpdateItemCommand(key)).catch(() => undefined);
    expect(writes.take()).to.equal(2);
    expect(writes.take()).to.equal(0);
    client.destroy();
  });
});
