import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCompose, type Template } from '@espresso/local-cloud';
import { isDetailType } from '@espresso/schemas';
import { checkServiceTemplate, SERVICE_CONTRACTS } from '@espresso/schemas/contracts';
import {
  functionRoles,
  ownPermissions,
  packageStageService,
  printForTest,
  tablePolicies,
} from '@espresso/test-support';
import { expect } from 'chai';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A stage with no settings of its own, packaged as deploy-readiness and cfn-lint package it. */
const STAGE = 'qa7';
/** The params compose gives it: from the config service's outputs (placeholder account). */
let params: Record<string, string>;

describe('publisher service template (serverless package)', function () {
  this.timeout(300_000);
  let template: Template;

  before(async () => {
    ({ template, params } = await packageStageService('publisher', STAGE));
  });
  const resources = (type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('matches its contract: rules on events some service emits, the declared consumes and routes', () => {
    // packages/schemas/src/contracts/services/publisher.ts; a failure names the rule and the fix.
    expect(checkServiceTemplate('publisher', template, SERVICE_CONTRACTS)).to.deep.equal([]);
  });
  it('gives every function its own role and leaves no shared one', () => {
    const roles = functionRoles(template);
    expect(roles).to.have.length(4);
    expect(new Set(roles.map((r) => r.roleLogicalId)).size).to.equal(4);
    expect(resources('AWS::IAM::Role').map(([id]) => id)).not.to.include('IamRoleLambdaExecution');
  });

  it('grants each function exactly the actions it uses on exactly its resources', () => {
    const table = JSON.stringify({ 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] });
    const indexes = JSON.stringify({
      'Fn::Join': ['/', [{ 'Fn::GetAtt': ['ConnectionsTable', 'Arn'] }, 'index', '*']],
    });
    const dlq = JSON.stringify({ 'Fn::GetAtt': ['FanOutDeadLetterQueue', 'Arn'] });
    // PostToConnection on this API's connections in this stage only.
    const connections = JSON.stringify({
      'Fn::Join': [
        '',
        [
          'arn:aws:execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          { Ref: 'WebsocketsApi' },
          '/qa7/POST/@connections/*',
        ],
      ],
    });
    expect(
      Object.fromEntries(
        functionRoles(template).map((r) => [
          r.functionName.replace('espresso-publisher-qa7-', ''),
          ownPermissions(r.statements),
        ]),
      ),
    ).to.deep.equal({
      connect: { 'dynamodb:PutItem': [table] },
      disconnect: { 'dynamodb:DeleteItem': [table] },
      subscribe: { 'dynamodb:GetItem': [table], 'dynamodb:UpdateItem': [table] },
      fanOut: {
        'dynamodb:Query': [indexes],
        'dynamodb:DeleteItem': [table],
        'execute-api:ManageConnections': [connections],
        'sqs:SendMessage': [dlq],
      },
    });
  });

  it('routes $connect, $disconnect and subscribe, answering subscribe on the socket', () => {
    const routes = resources('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties?.RouteKey);
    expect(routes.sort()).to.deep.equal(['$connect', '$disconnect', 'subscribe']);
    const api = template.Resources.WebsocketsApi?.Properties;
    expect(api?.ProtocolType).to.equal('WEBSOCKET');
    expect(api?.RouteSelectionExpression).to.equal('$request.body.action');
    expect(resources('AWS::ApiGatewayV2::RouteResponse')).to.have.length(1);
  });

  it('fans out only known detail-types of the two producers, with retries and a DLQ', () => {
    const rules = resources('AWS::Events::Rule');
    expect(rules).to.have.length(1);
    const rule = rules[0]?.[1].Properties as {
      EventBusName: string;
      EventPattern: { source: string[]; 'detail-type': string[] };
      Targets: { Arn: unknown; RetryPolicy: unknown; DeadLetterConfig: { Arn: unknown } }[];
    };
    expect(rule.EventBusName).to.equal(params.eventBusName);
    expect(rule.EventPattern.source.sort()).to.deep.equal(['espresso.config', 'espresso.orders']);
    for (const type of rule.EventPattern['detail-type']) {
      expect(isDetailType(type), type).to.equal(true);
    }
    expect(rule.Targets).to.have.length(1);
    expect(rule.Targets[0]?.Arn).to.deep.equal({ 'Fn::GetAtt': ['FanOutLambdaFunction', 'Arn'] });
    expect(rule.Targets[0]?.DeadLetterConfig.Arn).to.deep.equal({
      'Fn::GetAtt': ['FanOutDeadLetterQueue', 'Arn'],
    });
    expect(rule.Targets[0]?.RetryPolicy).to.deep.equal({
      MaximumEventAgeInSeconds: 300,
      MaximumRetryAttempts: 2,
    });
    // Only EventBridge, for this rule, may put into the DLQ (besides the fan-out's own role).
    const policy = template.Resources.FanOutDeadLetterQueuePolicy?.Properties as {
      PolicyDocument: { Statement: { Principal: unknown; Condition: unknown }[] };
    };
    expect(policy.PolicyDocument.Statement[0]?.Principal).to.deep.equal({
      Service: 'events.amazonaws.com',
    });
    expect(JSON.stringify(policy.PolicyDocument.Statement[0]?.Condition)).to.contain(
      ':rule/espresso-config-qa7-bus/espresso-publisher-qa7-fan-out',
    );
  });

  it('keeps connections in a table with a TTL and sparse indexes by shop and by owner', () => {
    const table = template.Resources.ConnectionsTable?.Properties as {
      KeySchema: { AttributeName: string }[];
      TimeToLiveSpecification: unknown;
      GlobalSecondaryIndexes: { IndexName: string; KeySchema: { AttributeName: string }[] }[];
    };
    expect(table.KeySchema.map((k) => k.AttributeName)).to.deep.equal(['connectionId']);
    expect(table.TimeToLiveSpecification).to.deep.equal({
      AttributeName: 'expiresAt',
      Enabled: true,
    });
    expect(
      table.GlobalSecondaryIndexes.map((i) => [i.IndexName, i.KeySchema[0]?.AttributeName]),
    ).to.deep.equal([
      ['byShop', 'shopId'],
      ['byOwner', 'ownerId'],
    ]);
  });

  it('outputs the wss:// URL clients connect to', () => {
    expect(template.Outputs?.WebSocketUrl?.Value).to.deep.equal({
      'Fn::Join': ['', [{ 'Fn::GetAtt': ['WebsocketsApi', 'ApiEndpoint'] }, '/', 'qa7']],
    });
  });

  it('is deployed after orders, with the config service’s bus and pool as params', async () => {
    const composeFile = path.resolve(serviceDir, '../../serverless-compose.yml');
    const services = await readCompose(composeFile);
    const names = services.map((s) => s.name);
    expect(names.indexOf('publisher')).to.be.greaterThan(names.indexOf('orders'));
    const publisher = services.find((s) => s.name === 'publisher');
    const output = (name: string) => `\${config.${name}}`;
    expect(publisher?.params).to.deep.equal({
      eventBusName: output('EventBusName'),
      eventBusArn: output('EventBusArn'),
      issuerUrl: output('IssuerUrl'),
      jwtAudience: output('UserPoolClientId'),
    });
    expect(await readFile(composeFile, 'utf8')).to.contain('path: services/publisher');
  });
  it('deletes its tables with the stack on a non-prod stage and keeps them on prod (serverless.common.yml)', async function () {
    this.timeout(60_000);
    // A kept table under its fixed name would make `remove` then `deploy` of a stage fail.
    const deleted = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
    const kept = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
    expect(tablePolicies(template.Resources)).to.deep.equal({ ConnectionsTable: deleted });
    const prod = await printForTest(serviceDir, 'prod', params);
    expect(tablePolicies(prod.resources.Resources)).to.deep.equal({ ConnectionsTable: kept });
  });
});
