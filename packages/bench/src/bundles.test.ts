import { expect } from 'chai';
import { externalImports, nodeOptionsOf, standIn } from './bundles';

describe('a bundle’s left-out packages', () => {
  it('lists the names each package is imported for, built-ins aside', () => {
    const code =
      'import{createRequire as __createRequire}from"module";import{a as b}from"node:crypto";' +
      'import{DynamoDBClient as Ut,ConditionalCheckFailedException as qe}from"@aws-sdk/client-dynamodb";' +
      'import{GetCommand as x}from"@aws-sdk/lib-dynamodb";import{DynamoDBClient as Vt}from"@aws-sdk/client-dynamodb";' +
      'var s="no import from \\"x\\" here",t=" import{y}from\\"z\\"";';
    expect(externalImports(code)).to.deep.equal({
      '@aws-sdk/client-dynamodb': ['ConditionalCheckFailedException', 'DynamoDBClient'],
      '@aws-sdk/lib-dynamodb': ['GetCommand'],
    });
  });

  [
    { name: 'a default import', code: 'import sdk from"@aws-sdk/client-sqs";' },
    { name: 'a namespace import', code: 'import*as sdk from"@aws-sdk/client-sqs";' },
    { name: 'a dynamic import', code: 'const m=await import("@aws-sdk/client-sqs");' },
  ].forEach((c) => {
    it(`gives up on ${c.name}, which stand-ins could not mimic`, () => {
      expect(externalImports(c.code)).to.equal(null);
    });
  });

  it('makes stand-ins a module can construct at import time', async () => {
    const url = `data:text/javascript,${encodeURIComponent(standIn(['DynamoDBClient', 'DynamoDBDocumentClient']))}`;
    const { DynamoDBClient, DynamoDBDocumentClient } = (await import(url)) as Record<
      string,
      new () => { middlewareStack: { add: () => void } }
    > & { DynamoDBDocumentClient: { from: (c: unknown) => unknown } };
    const client = new (DynamoDBClient as new () => { middlewareStack: { add: () => void } })();
    expect(() => client.middlewareStack.add()).not.to.throw();
    expect(DynamoDBDocumentClient.from(client)).to.be.an('object');
  });
});

describe('a packaged function’s NODE_OPTIONS', () => {
  const fn = (zip: string, variables?: Record<string, unknown>) => ({
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: { S3Bucket: 'b', S3Key: `serverless/espresso-orders/dev/1-2/${zip}` },
      ...(variables ? { Environment: { Variables: variables } } : {}),
    },
  });
  const template = {
    Resources: {
      GetOrderLambdaFunction: fn('getOrder.zip', { NODE_OPTIONS: '--enable-source-maps', A: '1' }),
      EndOrderLambdaFunction: fn('endOrder.zip', { A: '1' }),
      BareLambdaFunction: fn('bare.zip'),
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    },
  };

  it('are read from the function whose code is that zip', () => {
    expect(nodeOptionsOf(template, 'getOrder.zip')).to.equal('--enable-source-maps');
  });

  it('are undefined for a function without them, without an environment, or not in the template', () => {
    expect(nodeOptionsOf(template, 'endOrder.zip')).to.equal(undefined);
    expect(nodeOptionsOf(template, 'bare.zip')).to.equal(undefined);
    expect(nodeOptionsOf(template, 'Order.zip')).to.equal(undefined);
  });
});
