// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text, not JS templates.
import { randomUUID } from 'node:crypto';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LOCAL_ACCOUNT_ID, type ResolveContext, type Template } from '../src/cloudformation';
import { buildResolveContext } from '../src/context';
import {
  checkJava,
  createTables,
  type DynamoDbLocal,
  startDynamoDbLocal,
  tablesFromTemplate,
} from '../src/dynamodb';
import { freePort } from '../src/util';

const REGION = 'us-east-1';

/** An orders-like table (GSI, LSI, TTL, stream) and a plain one, as `serverless package` writes them. */
const templateFor = (stage: string): Template => ({
  Resources: {
    OrdersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Sub': ['espresso-orders-${Stage}-orders', { Stage: stage }] },
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
            ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
            ContributorInsightsSpecification: { Enabled: true },
          },
        ],
        LocalSecondaryIndexes: [
          {
            IndexName: 'byCreatedAt',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        Tags: [{ Key: 'service', Value: 'orders' }],
      },
    },
    CountersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: { 'Fn::Join': ['-', ['espresso-orders', stage, 'counters']] },
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'shopId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'shopId', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: false },
      },
    },
    OrdersQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'not-a-table' } },
  },
});

describe('tablesFromTemplate', () => {
  const template = templateFor('test');
  const ctx: ResolveContext = buildResolveContext([template], REGION, LOCAL_ACCOUNT_ID);
  const tables = tablesFromTemplate(template, ctx);
  const [orders, counters] = tables;

  it('makes one CreateTable input per AWS::DynamoDB::Table and ignores other resources', () => {
    expect(tables.map((t) => t.input.TableName)).to.deep.equal([
      'espresso-orders-test-orders',
      'espresso-orders-test-counters',
    ]);
  });

  it('builds the full CreateTable input: on-demand, GSI without throughput, LSI, stream', () => {
    expect(orders?.input).to.deep.equal({
      TableName: 'espresso-orders-test-orders',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byCreatedAt',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it('reports the TTL attribute of a table whose TTL is enabled', () => {
    expect(orders?.ttlAttribute).to.equal('expiresAt');
  });

  it('reports no TTL attribute when TTL is disabled, and adds no indexes or stream', () => {
    expect(counters?.ttlAttribute).to.equal(undefined);
    expect(counters?.input).to.deep.equal({
      TableName: 'espresso-orders-test-counters',
      AttributeDefinitions: [{ AttributeName: 'shopId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'shopId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('leaves the template it was given unchanged', () => {
    expect(template).to.deep.equal(templateFor('test'));
  });

  it('fails when a table property refers to something it cannot resolve', () => {
    const broken: Template = {
      Resources: {
        T: {
          Type: 'AWS::DynamoDB::Table',
          Properties: { TableName: { 'Fn::Sub': '${Missing}-orders' } },
        },
      },
    };
    expect(() => tablesFromTemplate(broken, ctx)).to.throw(/cannot resolve Ref Missing/);
  });
});

describe('DynamoDB Local (real java process, in memory)', function () {
  this.timeout(60_000);

  // Unique names, though the in-memory database is this suite's alone.
  const stage = `t${randomUUID().slice(0, 8)}`;
  const template = templateFor(stage);
  const ctx = buildResolveContext([template], REGION, LOCAL_ACCOUNT_ID);
  const ordersTable = `espresso-orders-${stage}-orders`;
  const countersTable = `espresso-orders-${stage}-counters`;
  let db: DynamoDbLocal | undefined;

  const local = (): DynamoDbLocal => {
    if (!db) throw new Error('DynamoDB Local did not start');
    return db;
  };

  before(async () => {
    db = await startDynamoDbLocal({ port: await freePort(), dbPath: undefined });
  });

  after(async () => {
    await db?.stop();
  });

  it('finds Java 17 or newer', async () => {
    expect(await checkJava()).to.match(/version "(\d+)/);
  });

  it('listens on 127.0.0.1 and answers ListTables with no tables yet', async () => {
    expect(local().endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { TableNames } = await local().client.send(new ListTablesCommand({}));
    expect(TableNames).to.deep.equal([]);
  });

  it('creates the tables, and a second run leaves them as they are', async () => {
    const first = await createTables(local().client, template, ctx);
    const second = await createTables(local().client, template, ctx);
    expect(first).to.deep.equal([ordersTable, countersTable]);
    expect(second).to.deep.equal(first);
    const { TableNames } = await local().client.send(new ListTablesCommand({}));
    expect([...(TableNames ?? [])].sort()).to.deep.equal([countersTable, ordersTable].sort());
  });

  it('gives the table its key schema, indexes, stream and on-demand billing', async () => {
    const { Table } = await local().client.send(
      new DescribeTableCommand({ TableName: ordersTable }),
    );
    expect(Table?.TableStatus).to.equal('ACTIVE');
    expect(Table?.KeySchema).to.deep.equal([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.KeySchema])).to.deep.equal([
      [
        'byStatus',
        [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
      ],
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]?.Projection).to.deep.equal({ ProjectionType: 'ALL' });
    expect(Table?.LocalSecondaryIndexes?.map((i) => i.IndexName)).to.deep.equal(['byCreatedAt']);
    expect(Table?.StreamSpecification).to.deep.equal({
      StreamEnabled: true,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(Table?.BillingModeSummary?.BillingMode).to.equal('PAY_PER_REQUEST');
  });

  it('enables TTL on the attribute the template names, and only where it is enabled', async () => {
    const orders = await local().client.send(
      new DescribeTimeToLiveCommand({ TableName: ordersTable }),
    );
    expect(orders.TimeToLiveDescription).to.deep.equal({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const counters = await local().client.send(
      new DescribeTimeToLiveCommand({ TableName: countersTable }),
    );
    expect(counters.TimeToLiveDescription?.TimeToLiveStatus).to.equal('DISABLED');
  });
});
