// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text, not JS templates.
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  type ResolveContext,
  resolve,
  resourcesOfType,
  type Template,
} from '../src/cloudformation';
import { buildResolveContext } from '../src/context';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TABLE = 'espresso-orders-test-orders';
const TABLE_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${TABLE}`;
const BUS = 'espresso-config-test-bus';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;

const ctx: ResolveContext = {
  region: REGION,
  accountId: ACCOUNT,
  refs: { OrdersTable: TABLE, EventBus: BUS },
  attributes: {
    'OrdersTable.Arn': TABLE_ARN,
    'OrdersTable.StreamArn': `${TABLE_ARN}/stream/local`,
    'EventBus.Arn': BUS_ARN,
  },
};

describe('resolve', () => {
  describe('resolves intrinsic functions to local values', () => {
    [
      {
        name: 'Ref of a logical id gives its physical name',
        input: { Ref: 'OrdersTable' },
        expected: TABLE,
      },
      {
        name: 'Ref AWS::Region gives the context region',
        input: { Ref: 'AWS::Region' },
        expected: REGION,
      },
      {
        name: 'Ref AWS::AccountId gives the context account',
        input: { Ref: 'AWS::AccountId' },
        expected: ACCOUNT,
      },
      { name: 'Ref AWS::Partition is aws', input: { Ref: 'AWS::Partition' }, expected: 'aws' },
      {
        name: 'Ref AWS::URLSuffix is amazonaws.com',
        input: { Ref: 'AWS::URLSuffix' },
        expected: 'amazonaws.com',
      },
      {
        name: 'Fn::GetAtt in array form gives the attribute',
        input: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] },
        expected: TABLE_ARN,
      },
      {
        name: 'Fn::GetAtt in dotted string form gives the attribute',
        input: { 'Fn::GetAtt': 'OrdersTable.StreamArn' },
        expected: `${TABLE_ARN}/stream/local`,
      },
      {
        name: 'Fn::Sub with a plain string substitutes refs and pseudo parameters',
        input: {
          'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${EventBus}-dlq',
        },
        expected: `arn:aws:sqs:${REGION}:${ACCOUNT}:${BUS}-dlq`,
      },
      {
        name: 'Fn::Sub substitutes ${Logical.Attr} with the attribute',
        input: { 'Fn::Sub': '${OrdersTable.Arn}/index/*' },
        expected: `${TABLE_ARN}/index/*`,
      },
      {
        name: 'Fn::Sub writes ${!Literal} as a literal ${Literal}',
        input: { 'Fn::Sub': 'a-${!Literal}-${AWS::Region}' },
        expected: `a-\${Literal}-${REGION}`,
      },
      {
        name: 'Fn::Sub takes literal values from its variables map',
        input: { 'Fn::Sub': ['${Prefix}-${Stage}', { Prefix: 'espresso', Stage: 'test' }] },
        expected: 'espresso-test',
      },
      {
        name: 'Fn::Sub resolves intrinsic functions inside its variables map',
        input: {
          'Fn::Sub': [
            '${Arn}:${Region}',
            { Arn: { 'Fn::GetAtt': ['EventBus', 'Arn'] }, Region: { Ref: 'AWS::Region' } },
          ],
        },
        expected: `${BUS_ARN}:${REGION}`,
      },
      {
        name: 'Fn::Sub prefers a variable over a logical id of the same name',
        input: { 'Fn::Sub': ['${OrdersTable}', { OrdersTable: 'shadowed' }] },
        expected: 'shadowed',
      },
      {
        name: 'Fn::Sub mixes variables with refs it finds in the context',
        input: { 'Fn::Sub': ['${OrdersTable}-${Suffix}', { Suffix: 'archive' }] },
        expected: `${TABLE}-archive`,
      },
      {
        name: 'Fn::Sub with no placeholders returns the text',
        input: { 'Fn::Sub': 'plain text' },
        expected: 'plain text',
      },
      {
        name: 'Fn::Join joins resolved parts with the separator',
        input: {
          'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'events', { Ref: 'AWS::Region' }]],
        },
        expected: `arn:aws:events:${REGION}`,
      },
      {
        name: 'Fn::Join with an empty separator concatenates',
        input: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }],
          ],
        },
        expected: `https://cognito-idp.${REGION}.amazonaws.com`,
      },
      {
        name: 'Fn::Select picks the element at the index',
        input: { 'Fn::Select': [1, ['a', 'b', 'c']] },
        expected: 'b',
      },
      {
        name: 'Fn::Select accepts the index as a string, as YAML often writes it',
        input: { 'Fn::Select': ['2', ['a', 'b', 'c']] },
        expected: 'c',
      },
      {
        name: 'Fn::Split splits resolved text into a list',
        input: { 'Fn::Split': [':', { 'Fn::GetAtt': ['EventBus', 'Arn'] }] },
        expected: ['arn', 'aws', 'events', REGION, ACCOUNT, `event-bus/${BUS}`],
      },
      {
        name: 'Fn::Select of Fn::Split of Fn::GetAtt extracts a table name from its ARN',
        input: {
          'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::GetAtt': ['OrdersTable', 'Arn'] }] }],
        },
        expected: TABLE,
      },
      {
        name: 'Fn::Join of Fn::Sub, Fn::GetAtt and Fn::Select nests',
        input: {
          'Fn::Join': [
            ',',
            [
              { 'Fn::Sub': '${OrdersTable}' },
              { 'Fn::GetAtt': 'EventBus.Arn' },
              { 'Fn::Select': [0, { 'Fn::Split': ['-', { Ref: 'OrdersTable' }] }] },
            ],
          ],
        },
        expected: `${TABLE},${BUS_ARN},espresso`,
      },
      {
        name: 'intrinsics inside arrays and objects are resolved in place (an IAM statement)',
        input: {
          Effect: 'Allow',
          Action: ['dynamodb:Query'],
          Resource: [
            { 'Fn::GetAtt': ['OrdersTable', 'Arn'] },
            { 'Fn::Sub': '${OrdersTable.Arn}/index/*' },
          ],
        },
        expected: {
          Effect: 'Allow',
          Action: ['dynamodb:Query'],
          Resource: [TABLE_ARN, `${TABLE_ARN}/index/*`],
        },
      },
      {
        name: 'an object with more keys than an intrinsic is data, its values still resolved',
        input: { Ref: 'NotAnIntrinsicHere', Other: { Ref: 'AWS::Region' } },
        expected: { Ref: 'NotAnIntrinsicHere', Other: REGION },
      },
      {
        name: 'a single-key object that is not a function is kept as data',
        input: { Name: 'x' },
        expected: { Name: 'x' },
      },
      { name: 'strings are returned unchanged', input: 'as is', expected: 'as is' },
      { name: 'numbers are returned unchanged', input: 42, expected: 42 },
      { name: 'booleans are returned unchanged', input: true, expected: true },
      { name: 'null is returned unchanged', input: null, expected: null },
    ].forEach((c) => {
      it(c.name, () => {
        expect(resolve(c.input, ctx)).to.deep.equal(c.expected);
      });
    });
  });

  describe('fails plainly on what it cannot resolve locally', () => {
    [
      {
        name: 'Ref of an unknown logical id',
        input: { Ref: 'MissingTable' },
        error: /cannot resolve Ref MissingTable/,
      },
      {
        name: 'Ref of an unsupported pseudo parameter',
        input: { Ref: 'AWS::StackName' },
        error: /cannot resolve pseudo parameter AWS::StackName/,
      },
      {
        name: 'Ref AWS::NoValue (it has no value to give)',
        input: { Ref: 'AWS::NoValue' },
        error: /cannot resolve pseudo parameter AWS::NoValue/,
      },
      {
        name: 'Fn::GetAtt of an unknown attribute (array form)',
        input: { 'Fn::GetAtt': ['OrdersTable', 'Nope'] },
        error: /cannot resolve Fn::GetAtt OrdersTable\.Nope/,
      },
      {
        name: 'Fn::GetAtt of an unknown resource (string form)',
        input: { 'Fn::GetAtt': 'Missing.Arn' },
        error: /cannot resolve Fn::GetAtt Missing\.Arn/,
      },
      {
        name: 'Fn::Sub with an unknown ${Name}',
        input: { 'Fn::Sub': 'x-${Missing}' },
        error: /cannot resolve Ref Missing/,
      },
      {
        name: 'Fn::Sub with an unknown ${Logical.Attr}',
        input: { 'Fn::Sub': '${Missing.Arn}' },
        error: /cannot resolve Fn::GetAtt Missing\.Arn/,
      },
      {
        name: 'Fn::If is unsupported',
        input: { 'Fn::If': ['IsProd', 'a', 'b'] },
        error: /Fn::If is not supported/,
      },
      {
        name: 'Fn::ImportValue is unsupported',
        input: { 'Fn::ImportValue': 'sls-espresso-config-test-EventBusArn' },
        error: /Fn::ImportValue is not supported/,
      },
      {
        name: 'Fn::FindInMap is unsupported',
        input: { 'Fn::FindInMap': ['Map', 'Key', 'Value'] },
        error: /Fn::FindInMap is not supported/,
      },
      {
        name: 'an unsupported function nested inside Fn::Join',
        input: { 'Fn::Join': ['', ['a', { 'Fn::Base64': 'b' }]] },
        error: /Fn::Base64 is not supported/,
      },
      {
        name: 'a Fn::Sub name that is only an inherited property of the variables map',
        input: { 'Fn::Sub': ['${toString}', { Stage: 'test' }] },
        error: /cannot resolve Ref toString/,
      },
      {
        name: 'a Fn::Select index out of range',
        input: { 'Fn::Select': [3, ['a', 'b']] },
        error: /out of range/,
      },
      {
        name: 'an unknown Ref nested inside a resource property',
        input: { Properties: { Targets: [{ Arn: { Ref: 'MissingQueue' } }] } },
        error: /cannot resolve Ref MissingQueue/,
      },
    ].forEach((c) => {
      it(`throws for ${c.name}`, () => {
        expect(() => resolve(c.input, ctx)).to.throw(c.error);
      });
    });
  });
});

describe('resourcesOfType', () => {
  it('lists the resources of one type with their logical ids and properties ({} when absent)', () => {
    const template: Template = {
      Resources: {
        A: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'a' } },
        Bucket: { Type: 'AWS::S3::Bucket' },
        B: { Type: 'AWS::DynamoDB::Table' },
      },
    };
    expect(resourcesOfType(template, 'AWS::DynamoDB::Table')).to.deep.equal([
      { logicalId: 'A', properties: { TableName: 'a' } },
      { logicalId: 'B', properties: {} },
    ]);
    expect(resourcesOfType(template, 'AWS::SQS::Queue')).to.deep.equal([]);
  });
});

describe('buildResolveContext', () => {
  const config: Template = {
    Resources: {
      EventBus: { Type: 'AWS::Events::EventBus', Properties: { Name: BUS } },
      UnnamedBus: { Type: 'AWS::Events::EventBus' },
      ShopsTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: 'espresso-config-test-shops', KeySchema: [] },
      },
      GetShopConfigLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { FunctionName: 'espresso-config-test-getShopConfig', Handler: 'x.handler' },
      },
      ServerlessDeploymentBucket: { Type: 'AWS::S3::Bucket' },
      HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
    },
  };
  const orders: Template = {
    Resources: {
      OrdersTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: { 'Fn::Sub': 'espresso-orders-${AWS::Region}-orders' } },
      },
      UnnamedTable: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      UnnamedLambdaFunction: { Type: 'AWS::Lambda::Function' },
      // A name built from a resource of an earlier template (services start in deploy order).
      AuditTable: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: { 'Fn::Join': ['-', [{ Ref: 'EventBus' }, 'audit']] } },
      },
    },
  };
  const built = buildResolveContext([config, orders], REGION, ACCOUNT);
  const ordersTable = `espresso-orders-${REGION}-orders`;
  const ordersArn = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${ordersTable}`;

  it('carries the region and account it was given', () => {
    expect(built.region).to.equal(REGION);
    expect(built.accountId).to.equal(ACCOUNT);
  });

  describe('maps each resource to its local Ref and Fn::GetAtt values', () => {
    [
      {
        name: 'a table Ref is its TableName',
        kind: 'refs',
        key: 'ShopsTable',
        expected: 'espresso-config-test-shops',
      },
      {
        name: 'a table Arn is a dynamodb ARN in the local region and account',
        kind: 'attributes',
        key: 'ShopsTable.Arn',
        expected: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/espresso-config-test-shops`,
      },
      {
        name: 'a table StreamArn is its ARN with a local stream suffix',
        kind: 'attributes',
        key: 'ShopsTable.StreamArn',
        expected: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/espresso-config-test-shops/stream/local`,
      },
      {
        name: 'a TableName given as Fn::Sub is resolved',
        kind: 'refs',
        key: 'OrdersTable',
        expected: ordersTable,
      },
      {
        name: 'the Arn uses the resolved TableName',
        kind: 'attributes',
        key: 'OrdersTable.Arn',
        expected: ordersArn,
      },
      {
        name: 'a TableName may refer to a resource of an earlier template',
        kind: 'refs',
        key: 'AuditTable',
        expected: `${BUS}-audit`,
      },
      {
        name: 'a table without TableName is named by its logical id',
        kind: 'refs',
        key: 'UnnamedTable',
        expected: 'UnnamedTable',
      },
      { name: 'an event bus Ref is its Name', kind: 'refs', key: 'EventBus', expected: BUS },
      {
        name: 'an event bus Name attribute is its Name',
        kind: 'attributes',
        key: 'EventBus.Name',
        expected: BUS,
      },
      {
        name: 'an event bus Arn is an event-bus ARN',
        kind: 'attributes',
        key: 'EventBus.Arn',
        expected: BUS_ARN,
      },
      {
        name: 'an event bus without Name is named by its logical id',
        kind: 'refs',
        key: 'UnnamedBus',
        expected: 'UnnamedBus',
      },
      {
        name: 'a Lambda function Ref is its FunctionName',
        kind: 'refs',
        key: 'GetShopConfigLambdaFunction',
        expected: 'espresso-config-test-getShopConfig',
      },
      {
        name: 'a Lambda function Arn is a function ARN',
        kind: 'attributes',
        key: 'GetShopConfigLambdaFunction.Arn',
        expected: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:espresso-config-test-getShopConfig`,
      },
      {
        name: 'an HTTP API Ref is a local API id (for outputs such as HttpApiId)',
        kind: 'refs',
        key: 'HttpApi',
        expected: 'localhttpapi',
      },
      {
        name: 'a Lambda function without FunctionName is named by its logical id',
        kind: 'refs',
        key: 'UnnamedLambdaFunction',
        expected: 'UnnamedLambdaFunction',
      },
    ].forEach((c) => {
      it(c.name, () => {
        const values = c.kind === 'refs' ? built.refs : built.attributes;
        expect(values[c.key]).to.equal(c.expected);
      });
    });
  });

  it('leaves out resource types the local stack does not run', () => {
    expect(built.refs).not.to.have.property('ServerlessDeploymentBucket');
    expect(
      Object.keys(built.attributes).filter((k) => k.startsWith('ServerlessDeploymentBucket.')),
    ).to.deep.equal([]);
  });

  it('gives a context that resolve uses to turn template values into local ARNs', () => {
    expect(resolve({ 'Fn::Sub': '${OrdersTable.Arn}/index/*' }, built)).to.equal(
      `${ordersArn}/index/*`,
    );
    expect(resolve({ 'Fn::GetAtt': ['EventBus', 'Arn'] }, built)).to.equal(BUS_ARN);
  });

  it('is empty for no templates', () => {
    expect(buildResolveContext([], REGION, ACCOUNT)).to.deep.equal({
      region: REGION,
      accountId: ACCOUNT,
      refs: {},
      attributes: {},
    });
  });

  it('fails when a physical name refers to something it cannot resolve', () => {
    const broken: Template = {
      Resources: {
        T: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { Ref: 'Nowhere' } } },
      },
    };
    expect(() => buildResolveContext([broken], REGION, ACCOUNT)).to.throw(
      /cannot resolve Ref Nowhere/,
    );
  });
});
