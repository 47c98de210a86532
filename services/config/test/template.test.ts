import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from '@espresso/local-cloud';
import { checkServiceTemplate, SERVICE_CONTRACTS } from '@espresso/schemas/contracts';
import { functionRoles, ownPermissions, packageForTest } from '@espresso/test-support';
import { expect } from 'chai';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What `serverless package` builds for the config service: what a deploy would create. */
describe('config service template (serverless package)', function () {
  this.timeout(120_000);
  let template: Template;
  let artifacts: string[];

  before(async () => {
    ({ template, artifacts } = await packageForTest(serviceDir, 'tpl'));
  });

  const resources = (type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('matches its contract: rules on events some service emits, the declared consumes and routes', () => {
    // packages/schemas/src/contracts/services/config.ts; a failure names the rule and the fix.
    expect(checkServiceTemplate('config', template, SERVICE_CONTRACTS)).to.deep.equal([]);
  });
  it('bundles each function separately', () => {
    expect(artifacts.sort()).to.deep.equal([
      'announceConfigChanges.zip',
      'getShopConfig.zip',
      'listShops.zip',
      'putShopConfig.zip',
      'putShopOpen.zip',
    ]);
  });

  it('gives every function its own role', () => {
    const roles = functionRoles(template);
    expect(roles).to.have.length(5);
    const roleIds = roles.map((r) => r.roleLogicalId);
    expect(new Set(roleIds).size).to.equal(5);
    for (const role of roles) expect(role.roleLogicalId).to.match(/IamRoleLambdaExecution$/);
    const allRoles = resources('AWS::IAM::Role').map(([id]) => id);
    expect(allRoles.sort(), 'no shared role is left beside them').to.deep.equal(
      [...roleIds].sort(),
    );
  });

  it('grants each function exactly the actions it uses on exactly its resources', () => {
    const table = JSON.stringify({ 'Fn::GetAtt': ['ShopsTable', 'Arn'] });
    const bus = JSON.stringify({ 'Fn::GetAtt': ['EventBus', 'Arn'] });
    const stream = JSON.stringify({ 'Fn::GetAtt': ['ShopsTable', 'StreamArn'] });
    const expected: Record<string, Record<string, string[]>> = {
      'espresso-config-tpl-getShopConfig': { 'dynamodb:GetItem': [table] },
      'espresso-config-tpl-putShopConfig': {
        'dynamodb:GetItem': [table],
        'dynamodb:PutItem': [table],
      },
      'espresso-config-tpl-putShopOpen': { 'dynamodb:UpdateItem': [table] },
      // Only the outbox puts events: the stream's reads (added by the plugin for the stream
      // event), the bus, and its failures queue.
      'espresso-config-tpl-announceConfigChanges': {
        'dynamodb:DescribeStream': [stream],
        'dynamodb:GetRecords': [stream],
        'dynamodb:GetShardIterator': [stream],
        'dynamodb:ListStreams': [stream],
        'events:PutEvents': [bus],
        'sqs:SendMessage': [JSON.stringify({ 'Fn::GetAtt': ['AnnounceFailuresQueue', 'Arn'] })],
      },
      'espresso-config-tpl-listShops': { 'dynamodb:Scan': [table] },
    };
    const actual = Object.fromEntries(
      functionRoles(template).map((r) => [r.functionName, ownPermissions(r.statements)]),
    );
    expect(actual).to.deep.equal(expected);
  });

  it("lets a function write logs only to its own log group, and uses '*' only for X-Ray", () => {
    for (const role of functionRoles(template)) {
      for (const statement of role.statements) {
        const actions = [statement.Action].flat();
        const text = JSON.stringify(statement.Resource);
        if (actions.every((a) => a.startsWith('xray:'))) continue;
        expect(text, `${role.functionName} ${actions}`).not.to.equal('"*"');
        if (actions.some((a) => a.startsWith('logs:'))) {
          expect(text).to.contain(`log-group:/aws/lambda/${role.functionName}:`);
        }
      }
    }
  });

  it('runs on Node.js 22 on arm64 with stage-aware names', () => {
    for (const [, fn] of resources('AWS::Lambda::Function')) {
      expect(fn.Properties).to.include({ Runtime: 'nodejs22.x' });
      expect(fn.Properties?.Architectures).to.deep.equal(['arm64']);
      expect(String(fn.Properties?.FunctionName)).to.match(/^espresso-config-tpl-/);
    }
    for (const [, group] of resources('AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays).to.be.a('number');
    }
  });

  it('announces every write of the shops table from its stream, failures to a queue', () => {
    const [, table] = resources('AWS::DynamoDB::Table')[0] ?? [];
    expect(table?.Properties?.StreamSpecification).to.deep.equal({
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings).to.have.length(1);
    expect(mappings[0]?.[1].Properties).to.deep.include({
      EventSourceArn: { 'Fn::GetAtt': ['ShopsTable', 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: {
        Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'] }) }],
      },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['AnnounceFailuresQueue', 'Arn'] } },
      },
    });
  });

  it('owns the bus, the shops table, the user pool and its three groups', () => {
    expect(resources('AWS::Events::EventBus').map(([, r]) => r.Properties?.Name)).to.deep.equal([
      'espresso-config-tpl-bus',
    ]);
    const [table] = resources('AWS::DynamoDB::Table');
    expect(table?.[1].Properties).to.deep.include({
      TableName: 'espresso-config-tpl-shops',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'shopId', KeyType: 'HASH' }],
    });
    expect(
      resources('AWS::Cognito::UserPoolGroup')
        .map(([, r]) => r.Properties?.GroupName)
        .sort(),
    ).to.deep.equal(['admin', 'barista', 'display']);
    const [client] = resources('AWS::Cognito::UserPoolClient');
    expect(
      client?.[1].Properties?.WriteAttributes,
      'users cannot set their own shop',
    ).to.deep.equal(['email']);
  });

  it('protects every route but the public config with the JWT authorizer on its own pool', () => {
    const routes = Object.fromEntries(
      resources('AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties?.RouteKey,
        r.Properties?.AuthorizationType ?? 'NONE',
      ]),
    );
    expect(routes).to.deep.equal({
      'GET /shops/{shopId}/config': 'NONE',
      'PUT /shops/{shopId}/config': 'JWT',
      'PUT /shops/{shopId}/open': 'JWT',
      'GET /shops': 'JWT',
    });
    const [[, authorizer] = []] = resources('AWS::ApiGatewayV2::Authorizer');
    const jwt = authorizer?.Properties?.JwtConfiguration as {
      Audience: unknown[];
      Issuer: unknown;
    };
    expect(jwt.Audience).to.deep.equal([{ Ref: 'UserPoolClient' }]);
    expect(JSON.stringify(jwt.Issuer))
      .to.contain('cognito-idp.')
      .and.to.contain('"Ref":"UserPool"');
  });

  it('gives every output one value CloudFormation accepts (a string or one intrinsic)', () => {
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      const value = output.Value;
      const ok =
        typeof value === 'string' ||
        (value !== null && typeof value === 'object' && Object.keys(value).length === 1);
      expect(ok, `${name}: ${JSON.stringify(value)}`).to.equal(true);
    }
  });

  it('exports what other services need as outputs', () => {
    expect(Object.keys(template.Outputs ?? {})).to.include.members([
      'EventBusName',
      'EventBusArn',
      'UserPoolId',
      'UserPoolClientId',
      'IssuerUrl',
      'ShopsTableName',
      'ShopsTableArn',
      'HttpApiUrl',
    ]);
  });
});
