// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text, not JS templates.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from '@espresso/local-cloud';
import { checkServiceTemplate, SERVICE_CONTRACTS } from '@espresso/schemas/contracts';
import {
  functionRoles,
  outputsWithoutOneValue,
  ownPermissions,
  packageStageService,
  printForTest,
  tablePolicies,
} from '@espresso/test-support';
import { expect } from 'chai';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A stage with no settings of its own, packaged as deploy-readiness and cfn-lint package it. */
const STAGE = 'qa7';

/** What `serverless package` builds for the config service: what a deploy would create. */
describe('config service template (serverless package)', function () {
  this.timeout(300_000);
  let template: Template;
  let artifacts: string[];

  before(async () => {
    ({ template, artifacts } = await packageStageService('config', STAGE));
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
      'espresso-config-qa7-getShopConfig': { 'dynamodb:GetItem': [table] },
      'espresso-config-qa7-putShopConfig': {
        'dynamodb:GetItem': [table],
        'dynamodb:PutItem': [table],
      },
      'espresso-config-qa7-putShopOpen': { 'dynamodb:UpdateItem': [table] },
      // Only the outbox puts events: the stream's reads (added by the plugin for the stream
      // event), the bus, and its failures queue.
      'espresso-config-qa7-announceConfigChanges': {
        'dynamodb:DescribeStream': [stream],
        'dynamodb:GetRecords': [stream],
        'dynamodb:GetShardIterator': [stream],
        'dynamodb:ListStreams': [stream],
        'events:PutEvents': [bus],
        'sqs:SendMessage': [JSON.stringify({ 'Fn::GetAtt': ['AnnounceFailuresQueue', 'Arn'] })],
      },
      'espresso-config-qa7-listShops': { 'dynamodb:Scan': [table] },
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
      expect(String(fn.Properties?.FunctionName)).to.match(/^espresso-config-qa7-/);
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
      'espresso-config-qa7-bus',
    ]);
    const [table] = resources('AWS::DynamoDB::Table');
    expect(table?.[1].Properties).to.deep.include({
      TableName: 'espresso-config-qa7-shops',
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
    expect(outputsWithoutOneValue(template)).to.deep.equal([]);
  });

  /** `serverless print --stage prod`, once for the tests that compare prod with other stages. */
  let prodPrint: ReturnType<typeof printForTest> | undefined;
  const printedForProd = () => {
    prodPrint ??= printForTest(serviceDir, 'prod');
    return prodPrint;
  };

  /** The one resource of `type`, by its logical id. */
  const only = (type: string) => {
    const found = resources(type);
    expect(
      found.map(([id]) => id),
      type,
    ).to.have.length(1);
    const [[logicalId, resource]] = found as [[string, (typeof found)[number][1]]];
    return { logicalId, properties: resource.Properties ?? {} };
  };
  const byId = (logicalId: string, type: string) => {
    const resource = template.Resources[logicalId];
    expect(resource?.Type, logicalId).to.equal(type);
    return resource?.Properties ?? {};
  };
  /** The logical ids a value refers to (Ref, Fn::GetAtt, and `${Name}` / `${Name.Attr}` in Fn::Sub). */
  const referencedIds = (value: unknown): string[] => {
    if (Array.isArray(value)) return value.flatMap(referencedIds);
    if (value === null || typeof value !== 'object') return [];
    return Object.entries(value).flatMap(([key, arg]) => {
      if (key === 'Ref') return [String(arg)];
      if (key === 'Fn::GetAtt') return [String(Array.isArray(arg) ? arg[0] : arg).split('.')[0]];
      if (key === 'Fn::Sub') {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        const named = [...String(text).matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g)]
          .map((m) => String(m[1]))
          .filter((name) => !name.startsWith('AWS::') && !Object.hasOwn(vars ?? {}, name));
        return [...named, ...referencedIds(vars)];
      }
      return referencedIds(arg);
    }) as string[];
  };

  it('signs the web app in through the hosted UI: code grant + PKCE, back to the stage’s distribution', () => {
    const client = only('AWS::Cognito::UserPoolClient').properties;
    const webUrl = { 'Fn::Sub': 'https://${WebDistribution.DomainName}/' };
    expect(client).to.deep.include({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    // packages/web's redirect and sign-out URI is the page's origin + `/`; on a stage other than
    // prod, Vite's dev server may sign in too.
    expect(client.CallbackURLs).to.deep.equal([webUrl, 'http://localhost:5173/']);
    expect(client.LogoutURLs).to.deep.equal(client.CallbackURLs);
    const domain = only('AWS::Cognito::UserPoolDomain').properties;
    expect(domain.UserPoolId).to.deep.equal({ Ref: 'UserPool' });
    expect(domain.Domain, 'unique per stage and account').to.deep.equal({
      'Fn::Sub': 'espresso-qa7-${AWS::AccountId}',
    });
    expect(template.Outputs?.HostedUiUrl?.Value).to.deep.equal({
      'Fn::Sub': 'https://${UserPoolDomain}.auth.${AWS::Region}.amazoncognito.com',
    });
  });

  it('lets only the stage’s distribution sign in on prod (no dev server)', async function () {
    this.timeout(60_000);
    const prod = await printedForProd();
    const client = prod.resources.Resources.UserPoolClient?.Properties ?? {};
    const webUrl = { 'Fn::Sub': 'https://${WebDistribution.DomainName}/' };
    expect(client.CallbackURLs).to.deep.equal([webUrl]);
    expect(client.LogoutURLs).to.deep.equal([webUrl]);
  });

  it('keeps the web app in a private, encrypted bucket that only the stage’s distribution reads', () => {
    // Beside the framework's deployment bucket and its policy.
    const bucket = { logicalId: 'WebBucket', properties: byId('WebBucket', 'AWS::S3::Bucket') };
    expect(bucket.properties.PublicAccessBlockConfiguration).to.deep.equal({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.properties.BucketEncryption).to.deep.equal({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
    expect(bucket.properties.OwnershipControls).to.deep.equal({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
    expect(
      bucket.properties,
      'no website endpoint: CloudFront reads it over the S3 API',
    ).not.to.have.property('WebsiteConfiguration');

    const [policy, ...others] = resources('AWS::S3::BucketPolicy')
      .map(([, r]) => r.Properties ?? {})
      .filter((p) => JSON.stringify(p.Bucket) === JSON.stringify({ Ref: bucket.logicalId }));
    expect(others, 'one policy on the bucket').to.deep.equal([]);
    if (!policy) expect.fail('no policy on the web bucket');
    expect(policy.Bucket).to.deep.equal({ Ref: bucket.logicalId });
    const statements = (policy.PolicyDocument as { Statement: Record<string, unknown>[] })
      .Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows, 'one reader: CloudFront, for the stage’s distribution only').to.deep.equal([
      {
        Sid: 'OnlyTheStagesDistributionReads',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': `\${${bucket.logicalId}.Arn}/*` },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Sub':
                'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${WebDistribution}',
            },
          },
        },
      },
    ]);
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => s.Condition)).to.deep.equal([
      { Bool: { 'aws:SecureTransport': 'false' } },
    ]);
  });

  it('serves the web app over HTTPS from the bucket through origin access control', () => {
    const distribution = only('AWS::CloudFront::Distribution');
    expect(distribution.logicalId).to.equal('WebDistribution');
    const config = distribution.properties.DistributionConfig as Record<string, unknown>;
    expect(config).to.include({ Enabled: true, DefaultRootObject: 'index.html' });
    const behaviour = config.DefaultCacheBehavior as Record<string, unknown>;
    expect(behaviour).to.include({
      TargetOriginId: 'web-bucket',
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    expect(behaviour.AllowedMethods).to.deep.equal(['GET', 'HEAD']);
    expect(config).not.to.have.property('CacheBehaviors');
    const oac = only('AWS::CloudFront::OriginAccessControl');
    expect(oac.properties.OriginAccessControlConfig).to.deep.include({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(config.Origins).to.deep.equal([
      {
        Id: 'web-bucket',
        DomainName: { 'Fn::GetAtt': ['WebBucket', 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [oac.logicalId, 'Id'] },
        // No origin access identity (the legacy way): OAC signs the requests.
        S3OriginConfig: { OriginAccessIdentity: '' },
      },
    ]);
  });

  it('has no dependency cycle (the app client names the distribution, nothing there names the client)', () => {
    const edges = new Map(
      Object.entries(template.Resources).map(([id, r]) => {
        const dependsOn = (r as { DependsOn?: string | string[] }).DependsOn ?? [];
        const ids = [...referencedIds(r.Properties), ...[dependsOn].flat()];
        return [id, ids.filter((d) => Object.hasOwn(template.Resources, d))];
      }),
    );
    expect(edges.get('UserPoolClient')).to.include('WebDistribution');
    const done = new Set<string>();
    const visit = (id: string, path: string[]) => {
      expect(path, `cycle: ${[...path, id].join(' → ')}`).not.to.include(id);
      if (done.has(id)) return;
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      done.add(id);
    };
    for (const id of edges.keys()) visit(id, []);
  });

  it('exports where the web app lives and signs in, for `pnpm web:publish`', () => {
    expect(template.Outputs?.WebUrl?.Value).to.deep.equal({
      'Fn::Sub': 'https://${WebDistribution.DomainName}/',
    });
    expect(template.Outputs?.WebBucketName?.Value).to.deep.equal({ Ref: 'WebBucket' });
    expect(template.Outputs?.WebDistributionId?.Value).to.deep.equal({ Ref: 'WebDistribution' });
    expect(template.Outputs?.UserPoolDomain?.Value).to.deep.equal({ Ref: 'UserPoolDomain' });
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

  it('deletes its tables with the stack on a non-prod stage and keeps them on prod (serverless.common.yml)', async function () {
    this.timeout(60_000);
    // A kept table under its fixed name would make `remove` then `deploy` of a stage fail.
    const deleted = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
    const kept = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
    expect(tablePolicies(template.Resources)).to.deep.equal({ ShopsTable: deleted });
    const prod = await printedForProd();
    expect(tablePolicies(prod.resources.Resources)).to.deep.equal({ ShopsTable: kept });
  });
});
