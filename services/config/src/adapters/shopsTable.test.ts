import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  type ScanCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type ShopConfig, ShopConfigSchema } from '@espresso/schemas';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { buildShopsTable, VersionConflict } from './shopsTable';

const TABLE = 'espresso-config-test-shops';
const AT = '2026-11-24T08:00:00.000Z';

const shop = (overrides: Partial<ShopConfig> = {}): ShopConfig =>
  ShopConfigSchema.parse({
    shopId: 'cafe',
    name: 'Corner Cafe',
    open: false,
    menu: [{ drinkId: 'latte', name: 'Latte', icon: 'latte', available: true }],
    limits: {},
    timeouts: {},
    version: 2,
    createdAt: '2026-11-01T09:00:00.000Z',
    updatedAt: '2026-11-01T09:00:00.000Z',
    ...overrides,
  });

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

/** The error `promise` rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
};

describe('shopsTable adapter', () => {
  let dynamo: AwsClientStub<DynamoDBDocumentClient>;
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
  );
  const table = buildShopsTable(client, TABLE);

  // aws-sdk-client-mock 4 brings its own sinon (18): its matchers do not work on a stub of
  // the workspace's sinon (22), so it makes and restores its own stub instead of a sandbox's.
  beforeEach(() => {
    dynamo = mockClient(DynamoDBDocumentClient);
  });

  afterEach(() => {
    dynamo.restore();
  });

  describe('get', () => {
    it('reads the shop by its key with a consistent read', async () => {
      dynamo.on(GetCommand).resolves({ Item: shop() });

      await table.get('cafe');

      expect(dynamo.commandCalls(GetCommand).map((call) => call.args[0].input)).to.deep.equal([
        { TableName: TABLE, Key: { shopId: 'cafe' }, ConsistentRead: true },
      ]);
    });

    it('returns the stored config, parsed', async () => {
      dynamo.on(GetCommand).resolves({ Item: shop({ open: true }) });

      expect(await table.get('cafe')).to.deep.equal(shop({ open: true }));
    });

    it('returns undefined when there is no such shop', async () => {
      dynamo.on(GetCommand).resolves({});

      expect(await table.get('nowhere')).to.equal(undefined);
    });

    it('fails loudly on a stored item that breaks the schema', async () => {
      dynamo.on(GetCommand).resolves({ Item: { shopId: 'cafe', name: 'Broken' } });

      const error = await rejectionOf(table.get('cafe'));

      expect(error).to.be.instanceOf(Error);
      expect(error).to.have.property('name', 'ZodError');
    });
  });

  describe('put', () => {
    it('creates a shop only if none exists with its id', async () => {
      dynamo.on(PutCommand).resolves({});
      const config = shop({ version: 1 });

      await table.put(config, undefined, 'CREATED');

      expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input)).to.deep.equal([
        {
          TableName: TABLE,
          Item: { ...config, lastChange: 'CREATED' },
          ConditionExpression: 'attribute_not_exists(shopId)',
        },
      ]);
    });

    it('replaces a shop only if it is still at the version that was read', async () => {
      dynamo.on(PutCommand).resolves({});
      const config = shop({ version: 3 });

      await table.put(config, 2, 'UPDATED');

      expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input)).to.deep.equal([
        {
          TableName: TABLE,
          Item: { ...config, lastChange: 'UPDATED' },
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': 2 },
        },
      ]);
    });

    [
      { name: 'a create that finds the shop exists', input: undefined },
      { name: 'a replace that finds another version', input: 2 },
    ].forEach((c) => {
      it(`turns a failed condition on ${c.name} into a VersionConflict`, async () => {
        dynamo.on(PutCommand).rejects(conditionFailed());

        const error = await rejectionOf(table.put(shop({ version: 3 }), c.input, 'UPDATED'));

        expect(error).to.be.instanceOf(VersionConflict);
        expect(error).to.include({ shopId: 'cafe', name: 'VersionConflict' });
      });
    });

    it('passes any other failure on as it is', async () => {
      const failure = new Error('ProvisionedThroughputExceededException');
      dynamo.on(PutCommand).rejects(failure);

      expect(await rejectionOf(table.put(shop(), 1, 'UPDATED'))).to.equal(failure);
    });

    it('refuses to write a config that breaks the schema, without calling DynamoDB', async () => {
      const error = await rejectionOf(table.put({ ...shop(), version: 0 }, undefined, 'CREATED'));

      expect(error).to.have.property('name', 'ZodError');
      expect(dynamo.commandCalls(PutCommand)).to.have.length(0);
    });
  });

  describe('setOpen', () => {
    it('sets the flag and time and bumps the version of an existing shop, returning it all', async () => {
      dynamo.on(UpdateCommand).resolves({ Attributes: shop({ open: true, version: 3 }) });

      await table.setOpen('cafe', true, AT);

      const [call] = dynamo.commandCalls(UpdateCommand);
      const input = call?.args[0].input;
      expect(input).to.deep.include({
        TableName: TABLE,
        Key: { shopId: 'cafe' },
        ConditionExpression: 'attribute_exists(shopId)',
        ExpressionAttributeNames: { '#open': 'open', '#version': 'version' },
        ExpressionAttributeValues: { ':open': true, ':at': AT, ':one': 1, ':change': 'OPENED' },
        ReturnValues: 'ALL_NEW',
      });
      expect(input?.UpdateExpression).to.equal(
        'SET #open = :open, updatedAt = :at, lastChange = :change ADD #version :one',
      );
    });

    it('returns the updated config, parsed', async () => {
      const updated = shop({ open: true, version: 3, updatedAt: AT });
      dynamo.on(UpdateCommand).resolves({ Attributes: updated });

      expect(await table.setOpen('cafe', true, AT)).to.deep.equal(updated);
    });

    it('returns undefined when there is no such shop', async () => {
      dynamo.on(UpdateCommand).rejects(conditionFailed());

      expect(await table.setOpen('nowhere', false, AT)).to.equal(undefined);
    });

    it('passes any other failure on as it is', async () => {
      const failure = new Error('AccessDeniedException');
      dynamo.on(UpdateCommand).rejects(failure);

      expect(await rejectionOf(table.setOpen('cafe', true, AT))).to.equal(failure);
    });
  });

  describe('list', () => {
    const summary = (shopId: string) => ({ shopId, name: shopId, open: false, updatedAt: AT });

    it('follows every page of the scan and sorts the shops by id', async () => {
      // The paginator reuses one input object, so record each call's start key when it happens.
      const startKeys: unknown[] = [];
      dynamo.on(ScanCommand).callsFake((input: ScanCommandInput) => {
        startKeys.push(input.ExclusiveStartKey);
        if (input.ExclusiveStartKey === undefined) {
          return {
            Items: [summary('zeta'), summary('cafe')],
            LastEvaluatedKey: { shopId: 'cafe' },
          };
        }
        if (input.ExclusiveStartKey.shopId === 'cafe') {
          return { Items: [summary('mocha')], LastEvaluatedKey: { shopId: 'mocha' } };
        }
        return { Items: [summary('alpha')] };
      });

      const shops = await table.list();

      expect(shops.map((s) => s.shopId)).to.deep.equal(['alpha', 'cafe', 'mocha', 'zeta']);
      expect(startKeys).to.deep.equal([undefined, { shopId: 'cafe' }, { shopId: 'mocha' }]);
    });

    it('reads only the summary attributes of the table', async () => {
      dynamo.on(ScanCommand).resolves({ Items: [summary('cafe')] });

      const shops = await table.list();

      expect(shops).to.deep.equal([summary('cafe')]);
      expect(dynamo.commandCalls(ScanCommand)[0]?.args[0].input).to.deep.include({
        TableName: TABLE,
        ProjectionExpression: 'shopId, #name, #open, updatedAt',
        ExpressionAttributeNames: { '#name': 'name', '#open': 'open' },
      });
    });

    it('returns an empty list for an empty table', async () => {
      dynamo.on(ScanCommand).resolves({});

      expect(await table.list()).to.deep.equal([]);
    });
  });
});
