import type { Template } from '@espresso/local-cloud';
import { expect } from 'chai';
import { accessLogLineBytes, templateInventory } from './run';

const FORMAT =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","routeKey":"$context.routeKey","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}';

const templates: Record<string, Template> = {
  orders: {
    Resources: {
      Stage: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: { AccessLogSettings: { Format: FORMAT } },
      },
      Orders: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { SSESpecification: { SSEEnabled: true } },
      },
      Owned: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Keyed: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { SSESpecification: { SSEEnabled: true, KMSMasterKeyId: 'k' } },
      },
    },
  },
  metrics: {
    Resources: {
      Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
      A1: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      A2: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
    },
  },
} as unknown as Record<string, Template>;

describe('what the templates make a stage pay', () => {
  it('counts dashboards, alarms, customer managed keys and tables on the AWS managed key', () => {
    expect(templateInventory(templates)).to.deep.equal({
      dashboards: 1,
      alarms: 2,
      customerManagedKeys: 1,
      // SSEEnabled without a key of ours: the AWS managed key. No SSESpecification: AWS owned (free).
      awsManagedKeyTables: 1,
    });
  });

  it('sizes an access log line from the stage’s format with typical values', () => {
    const bytes = accessLogLineBytes(templates);
    expect(bytes).to.be.within(200, 300);
    expect(bytes).to.be.above(Buffer.byteLength(FORMAT.replace(/\$context\.[A-Za-z.]+/g, '')));
    expect(accessLogLineBytes({})).to.equal(0);
  });
});
