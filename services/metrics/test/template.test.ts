import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from '@espresso/local-cloud';
import { isDetailType } from '@espresso/schemas';
import {
  checkServiceTemplate,
  metricsContract,
  SERVICE_CONTRACTS,
} from '@espresso/schemas/contracts';
import {
  functionRoles,
  outputsWithoutOneValue,
  ownPermissions,
  packageForTest,
  packageStage,
  packageStageService,
  printForTest,
  tablePolicies,
} from '@espresso/test-support';
import { expect } from 'chai';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A stage with no settings of its own, packaged as deploy-readiness and cfn-lint package it. */
const STAGE = 'qa7';
/** The params compose gives it: from the config and orders services' outputs (placeholder account). */
let params: Record<string, string>;

const getAtt = (logicalId: string, attribute: string) => ({
  'Fn::GetAtt': [logicalId, attribute],
});

describe('metrics service template (serverless package)', function () {
  this.timeout(180_000);
  let template: Template;
  const props = (logicalId: string) => {
    const resource = template.Resources[logicalId];
    expect(resource, logicalId).to.exist;
    return (resource?.Properties ?? {}) as Record<string, unknown>;
  };
  const ofType = (type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const consumerTimeout = () => Number(props('ConsumeEndingsLambdaFunction').Timeout);

  before(async () => {
    ({ template, params } = await packageStageService('metrics', STAGE));
  });

  it('matches its contract: rules on events some service emits, the declared consumes and routes', () => {
    // packages/schemas/src/contracts/services/metrics.ts; a failure names the rule and the fix.
    expect(checkServiceTemplate('metrics', template, SERVICE_CONTRACTS)).to.deep.equal([]);
  });

  it('gives each function its own role with exactly the actions it uses on its resources', () => {
    const roles = functionRoles(template);
    expect(new Set(roles.map((r) => r.roleLogicalId)).size).to.equal(roles.length);
    const table = JSON.stringify(getAtt('MetricsTable', 'Arn'));
    const queue = JSON.stringify(getAtt('EndingsQueue', 'Arn'));
    expect(
      Object.fromEntries(
        roles.map((r) => [
          r.functionName.replace('espresso-metrics-qa7-', ''),
          ownPermissions(r.statements),
        ]),
      ),
    ).to.deep.equal({
      consumeEndings: {
        'sqs:ReceiveMessage': [queue],
        'sqs:DeleteMessage': [queue],
        'sqs:GetQueueAttributes': [queue],
        'dynamodb:GetItem': [table],
        'dynamodb:UpdateItem': [table],
      },
      getMetrics: { 'dynamodb:Query': [table] },
    });
  });

  it('routes exactly the order endings that carry the facts from the bus to the queue', () => {
    const rule = props('EndingsRule');
    expect(rule.EventBusName).to.equal(params.eventBusName);
    const pattern = rule.EventPattern as { source: string[]; 'detail-type': string[] };
    expect(pattern.source).to.deep.equal(['espresso.orders']);
    // Exactly the contract's `consumes` (the one declaration; the consumer's dispatch reads it too).
    expect(pattern['detail-type']).to.have.members(Object.keys(metricsContract.consumes));
    expect(pattern['detail-type']).to.have.length(new Set(pattern['detail-type']).size);
    for (const type of pattern['detail-type']) expect(isDetailType(type), type).to.equal(true);
    expect(rule.Targets).to.deep.equal([
      {
        Id: 'endings-queue',
        Arn: getAtt('EndingsQueue', 'Arn'),
        DeadLetterConfig: { Arn: getAtt('EndingsDlq', 'Arn') },
      },
    ]);
  });

  it("admits only the endings rule's ARN to the queue", () => {
    const policy = props('EndingsQueuePolicy');
    expect(policy.Queues).to.deep.equal([{ Ref: 'EndingsQueue' }]);
    const { Statement } = policy.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(Statement).to.deep.equal([
      {
        Sid: 'EndingsRuleOnly',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('EndingsQueue', 'Arn'),
        Condition: { ArnEquals: { 'aws:SourceArn': getAtt('EndingsRule', 'Arn') } },
      },
    ]);
    expect(template.Resources.EndingsRule?.Type).to.equal('AWS::Events::Rule');
  });

  it("admits only the endings rule's dead letters to the DLQ", () => {
    const policy = props('EndingsDlqPolicy');
    expect(policy.Queues).to.deep.equal([{ Ref: 'EndingsDlq' }]);
    const { Statement } = policy.PolicyDocument as { Statement: Record<string, unknown>[] };
    expect(Statement).to.have.length(1);
    expect(Statement[0]).to.deep.include({
      Action: 'sqs:SendMessage',
      Resource: getAtt('EndingsDlq', 'Arn'),
      Condition: { ArnEquals: { 'aws:SourceArn': getAtt('EndingsRule', 'Arn') } },
    });
  });

  it('encrypts both queues and dead-letters after 3 receives, visibility 6x the consumer', () => {
    const queue = props('EndingsQueue');
    const dlq = props('EndingsDlq');
    expect(queue.SqsManagedSseEnabled).to.equal(true);
    expect(dlq.SqsManagedSseEnabled).to.equal(true);
    expect(queue.RedrivePolicy).to.deep.equal({
      deadLetterTargetArn: getAtt('EndingsDlq', 'Arn'),
      maxReceiveCount: 3,
    });
    expect(Number(queue.VisibilityTimeout)).to.be.at.least(6 * consumerTimeout());
    expect(queue.QueueName).to.equal('espresso-metrics-qa7-endings');
    expect(dlq.QueueName).to.equal('espresso-metrics-qa7-endings-dlq');
  });

  it('keeps visibility at 6x the consumer on the local stage too', async () => {
    const local = (await packageForTest(serviceDir, 'local', params)).template.Resources;
    const timeout = Number(local.ConsumeEndingsLambdaFunction?.Properties?.Timeout);
    const visibility = Number(local.EndingsQueue?.Properties?.VisibilityTimeout);
    expect(timeout).to.be.greaterThan(0);
    expect(visibility).to.be.at.least(6 * timeout);
  });

  it('feeds the consumer batches of 10 with a window and partial batch responses', () => {
    const [mapping, ...more] = ofType('AWS::Lambda::EventSourceMapping');
    expect(more).to.be.empty;
    const p = (mapping?.[1].Properties ?? {}) as Record<string, unknown>;
    expect(p.EventSourceArn).to.deep.equal(getAtt('EndingsQueue', 'Arn'));
    expect(p.FunctionName).to.deep.equal(getAtt('ConsumeEndingsLambdaFunction', 'Arn'));
    expect(p.BatchSize).to.equal(10);
    expect(Number(p.MaximumBatchingWindowInSeconds)).to.be.greaterThan(0);
    expect(p.FunctionResponseTypes).to.deep.equal(['ReportBatchItemFailures']);
  });

  it('keys the metrics table by shop and day, encrypted, on demand', () => {
    const table = props('MetricsTable');
    expect(table.TableName).to.equal('espresso-metrics-qa7-metrics');
    expect(table.KeySchema).to.deep.equal([
      { AttributeName: 'shopId', KeyType: 'HASH' },
      { AttributeName: 'day', KeyType: 'RANGE' },
    ]);
    expect(table.SSESpecification).to.deep.equal({ SSEEnabled: true });
    expect(table.BillingMode).to.equal('PAY_PER_REQUEST');
  });

  describe('the dashboard', () => {
    type Widget = {
      type: string;
      properties: { title: string; region: string; metrics: unknown[] };
    };
    let widgets: Widget[];
    let text: string;

    before(() => {
      const body = props('Dashboard').DashboardBody as { 'Fn::Join': [string, unknown[]] };
      const [separator, parts] = body['Fn::Join'];
      // Intrinsics stand for this API's id; everything else is the literal JSON.
      text = parts
        .map((p) =>
          typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"HttpApi"}' ? 'API' : '?',
        )
        .join(separator);
      widgets = (JSON.parse(text) as { widgets: Widget[] }).widgets;
    });

    it('is valid JSON with a title, a region and metrics in every widget', () => {
      expect(props('Dashboard').DashboardName).to.equal('espresso-qa7');
      expect(widgets.length).to.be.at.least(10);
      for (const w of widgets) {
        expect(w.type).to.equal('metric');
        expect(w.properties.title).to.be.a('string').and.not.empty;
        expect(w.properties.region).to.equal('us-east-1');
        expect(w.properties.metrics).to.not.be.empty;
      }
      expect(text).not.to.include('?');
    });

    it('names only resources that exist: queues, functions, table, state machines, APIs', () => {
      const queues = ofType('AWS::SQS::Queue').map(([, r]) => String(r.Properties?.QueueName));
      const functions = ofType('AWS::Lambda::Function').map(([, r]) =>
        String(r.Properties?.FunctionName),
      );
      const dimension = (namespace: string, name: string) =>
        widgets.flatMap((w) =>
          w.properties.metrics
            .filter((m): m is unknown[] => Array.isArray(m) && m[0] === namespace && m[2] === name)
            .map((m) => String(m[3])),
        );
      expect(dimension('AWS/SQS', 'QueueName')).to.not.be.empty;
      for (const q of dimension('AWS/SQS', 'QueueName')) expect(queues).to.include(q);
      expect(dimension('AWS/Lambda', 'FunctionName')).to.not.be.empty;
      for (const f of dimension('AWS/Lambda', 'FunctionName')) expect(functions).to.include(f);
      expect(dimension('AWS/DynamoDB', 'TableName')).to.deep.include(
        String(props('MetricsTable').TableName),
      );
      expect(new Set(dimension('AWS/States', 'StateMachineArn'))).to.deep.equal(
        new Set([params.orderProcessorArn, params.orderManagerArn]),
      );
      expect(new Set(dimension('AWS/ApiGateway', 'ApiId'))).to.deep.equal(
        new Set([params.ordersHttpApiId, 'API']),
      );
    });

    it('shows business metrics from the stage namespace: placed, outcomes, drinks, wait and make', () => {
      for (const name of [
        'OrdersPlaced',
        'OrdersEnded',
        'DrinksCompleted',
        'WaitTime',
        'MakeTime',
      ]) {
        expect(text).to.include(name);
      }
      expect(text).to.include('ServerlessEspresso/qa7');
      expect(text).to.include('ApproximateAgeOfOldestMessage');
      expect(text).to.include('ExecutionsFailed');
      expect(text).to.include('ExecutionsTimedOut');
    });
  });

  describe('one metrics namespace per stage (services/serverless.common.yml)', () => {
    const NAMESPACE = 'ServerlessEspresso/qa7';

    it('gives every function the stage namespace Powertools Metrics emits to', () => {
      const functions = ofType('AWS::Lambda::Function');
      expect(functions).to.not.be.empty;
      for (const [id, fn] of functions) {
        const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> })
          ?.Variables;
        expect(env?.POWERTOOLS_METRICS_NAMESPACE, id).to.equal(NAMESPACE);
      }
    });

    it('reads every business metric of the dashboard from that namespace, and alarms too', () => {
      const [separator, parts] = (
        props('Dashboard').DashboardBody as { 'Fn::Join': [string, unknown[]] }
      )['Fn::Join'];
      const body = JSON.parse(
        parts.map((p) => (typeof p === 'string' ? p : 'API')).join(separator),
      ) as { widgets: { properties: { metrics: unknown[] } }[] };
      // A metric is [Namespace, MetricName, …] or { expression: "SEARCH('{Namespace,dim,…} …')" }.
      const metrics = body.widgets.flatMap((w) => w.properties.metrics);
      const expressions = metrics
        .filter((m): m is { expression: string } => !Array.isArray(m))
        .map((m) => m.expression);
      const namespaces = [
        ...metrics.filter((m): m is string[] => Array.isArray(m)).map((m) => String(m[0])),
        ...expressions.map((e) => /^SEARCH\('\{([^,}]+)/.exec(e)?.[1] ?? e),
      ];
      const custom = namespaces.filter((ns) => !ns.startsWith('AWS/'));
      expect(custom).to.include(NAMESPACE);
      expect(new Set(custom)).to.deep.equal(new Set([NAMESPACE]));
      expect(expressions).to.include(
        `SEARCH('{${NAMESPACE},service,shopId} MetricName="OrdersPlaced"', 'Sum', 3600)`,
      );
      const alarmNamespaces = ofType('AWS::CloudWatch::Alarm').flatMap(([, r]) =>
        [...JSON.stringify(r.Properties).matchAll(/"Namespace":"([^"]+)"/g)].map((m) => m[1]),
      );
      expect(alarmNamespaces).to.not.be.empty;
      for (const ns of alarmNamespaces.filter((n) => !n?.startsWith('AWS/')))
        expect(ns).to.equal(NAMESPACE);
    });

    it('puts every function of every service of a stage in that stage’s namespace, none in one of its own', async function () {
      this.timeout(300_000);
      // Each service as the stage deploys it: packaged with the params compose gives it (within
      // a `pnpm test` run, the packaging cfn-lint and deploy-readiness read).
      const stage = await packageStage(STAGE);
      expect(stage.map((p) => p.service).sort()).to.deep.equal([
        'config',
        'metrics',
        'orders',
        'publisher',
      ]);
      for (const { service, template: packaged } of stage) {
        const namespaces = Object.fromEntries(
          Object.entries(packaged.Resources)
            .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
            .map(([id, fn]) => {
              const environment = fn.Properties?.Environment as
                | { Variables?: Record<string, unknown> }
                | undefined;
              return [id, environment?.Variables?.POWERTOOLS_METRICS_NAMESPACE];
            }),
        );
        expect(Object.keys(namespaces), service).to.not.be.empty;
        expect(new Set(Object.values(namespaces)), JSON.stringify(namespaces)).to.deep.equal(
          new Set([`ServerlessEspresso/${STAGE}`]),
        );
      }
    });
  });

  it('deploys to the shell’s AWS_REGION when no --region is given (README "Deploying")', async function () {
    this.timeout(60_000);
    const printed = await printForTest(serviceDir, 'qa7', params, { AWS_REGION: 'eu-west-1' });
    expect(printed.provider.region).to.equal('eu-west-1');
    // What is derived from the region follows it: the dashboard's widgets.
    const body = JSON.stringify(printed.resources.Resources.Dashboard?.Properties?.DashboardBody);
    const regions = [...body.matchAll(/region\\+":\\+"([a-z0-9-]+)/g)].map((m) => m[1]);
    expect(regions).to.not.be.empty;
    expect(new Set(regions)).to.deep.equal(new Set(['eu-west-1']));
    // And without it, the framework's default.
    expect(template.Resources.Dashboard).to.exist;
    expect(JSON.stringify(template.Resources.Dashboard?.Properties)).to.include('us-east-1');
  });

  it('alarms on a non-empty DLQ, the oldest message, workflow failures and API 5xx rates', () => {
    const alarms = Object.fromEntries(
      ofType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties ?? {}]),
    );
    expect(Object.keys(alarms)).to.have.members([
      'DlqNotEmptyAlarm',
      'OldestEndingAlarm',
      'WorkflowFailuresAlarm',
      'OrdersApi5xxAlarm',
      'MetricsApi5xxAlarm',
    ]);
    expect(alarms.DlqNotEmptyAlarm).to.include({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarms.DlqNotEmptyAlarm?.Dimensions).to.deep.equal([
      { Name: 'QueueName', Value: getAtt('EndingsDlq', 'QueueName') },
    ]);
    expect(alarms.OldestEndingAlarm?.Dimensions).to.deep.equal([
      { Name: 'QueueName', Value: getAtt('EndingsQueue', 'QueueName') },
    ]);
    const json = JSON.stringify(alarms);
    expect(json).to.include(params.orderProcessorArn);
    expect(json).to.include(params.ordersHttpApiId);
    for (const alarm of Object.values(alarms)) {
      expect(String(alarm.AlarmName)).to.include('qa7');
      expect(alarm.AlarmActions).to.deep.equal([{ Ref: 'AlarmTopic' }]);
    }
  });
  it('pages on real workflow failures only: OrderProcessor failed, timed out or aborted; OrderManager timed out', () => {
    // An ordinary 409 (two baristas claim one order) ends in the OrderManager's OrderConflict
    // Fail state, an ExecutionsFailed of that machine: alarming on it would page on races.
    type Query = {
      Id: string;
      MetricStat?: {
        Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] };
      };
    };
    const queries = props('WorkflowFailuresAlarm').Metrics as Query[];
    const watched = queries
      .filter((q) => q.MetricStat)
      .map((q) => {
        const { MetricName, Dimensions } = q.MetricStat?.Metric ?? {
          MetricName: '',
          Dimensions: [],
        };
        const machine = Dimensions.find((d) => d.Name === 'StateMachineArn')?.Value;
        return `${machine === params.orderProcessorArn ? 'OrderProcessor' : machine === params.orderManagerArn ? 'OrderManager' : machine} ${MetricName}`;
      });
    expect(watched.sort()).to.deep.equal([
      'OrderManager ExecutionsTimedOut',
      'OrderProcessor ExecutionsAborted',
      'OrderProcessor ExecutionsFailed',
      'OrderProcessor ExecutionsTimedOut',
    ]);
    const sum = queries.find((q) => !q.MetricStat) as Query & { Expression?: string };
    expect(sum.Expression).to.equal('SUM(METRICS())');
  });

  it('encrypts the alarm topic with a rotated key of its own that CloudWatch may use (not alias/aws/sns)', () => {
    expect(props('AlarmTopic').KmsMasterKeyId).to.deep.equal({ Ref: 'AlarmTopicKey' });
    expect(template.Resources.AlarmTopicKey?.Type).to.equal('AWS::KMS::Key');
    const key = props('AlarmTopicKey');
    expect(key.EnableKeyRotation).to.equal(true);
    type KeyStatement = { Effect: string; Principal: Record<string, unknown>; Action: unknown };
    const statements = (key.KeyPolicy as { Statement: KeyStatement[] }).Statement;
    const byPrincipal = Object.fromEntries(
      statements.map((s) => [JSON.stringify(s.Principal), [s.Effect, s.Action]]),
    );
    expect(byPrincipal).to.deep.equal({
      [JSON.stringify({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub text.
        AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
      })]: ['Allow', 'kms:*'],
      [JSON.stringify({ Service: 'cloudwatch.amazonaws.com' })]: [
        'Allow',
        ['kms:Decrypt', 'kms:GenerateDataKey*'],
      ],
    });
    expect(props('AlarmTopicKeyAlias')).to.deep.equal({
      AliasName: 'alias/espresso-metrics-qa7-alarms',
      TargetKeyId: { Ref: 'AlarmTopicKey' },
    });
  });

  it('mails the alarms to the stage’s alarmEmail param, and subscribes nobody when it is empty', async function () {
    this.timeout(60_000);
    // Packaged with no alarmEmail: the subscription exists only under a condition that is false.
    const subscription = template.Resources.AlarmEmailSubscription as {
      Type: string;
      Condition?: string;
      Properties?: Record<string, unknown>;
    };
    expect(subscription.Type).to.equal('AWS::SNS::Subscription');
    expect(subscription.Condition).to.equal('HasAlarmEmail');
    expect(subscription.Properties).to.deep.equal({
      TopicArn: { Ref: 'AlarmTopic' },
      Protocol: 'email',
      Endpoint: { Ref: 'AlarmEmail' },
    });
    const packaged = template as Template & {
      Parameters?: Record<string, { Type: string; Default: string }>;
      Conditions?: Record<string, unknown>;
    };
    expect(packaged.Parameters?.AlarmEmail).to.include({ Type: 'String', Default: '' });
    expect(packaged.Conditions?.HasAlarmEmail).to.deep.equal({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }],
    });
    // With the param, the address is the parameter's value.
    const withEmail = await printForTest(serviceDir, 'qa7', {
      ...params,
      alarmEmail: 'ops@example.com',
    });
    expect(withEmail.resources.Parameters?.AlarmEmail?.Default).to.equal('ops@example.com');
  });

  it('gives every output one value (the framework’s HttpApiUrl, not a second one merged into it)', () => {
    expect(outputsWithoutOneValue(template)).to.deep.equal([]);
    expect(Object.keys(template.Outputs?.HttpApiUrl?.Value as object)).to.deep.equal(['Fn::Join']);
  });

  it('deletes its table with the stack on a non-prod stage and keeps it on prod (serverless.common.yml)', async function () {
    this.timeout(60_000);
    const deleted = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
    const kept = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
    expect(tablePolicies(template.Resources)).to.deep.equal({ MetricsTable: deleted });
    const prod = await printForTest(serviceDir, 'prod', params);
    expect(tablePolicies(prod.resources.Resources)).to.deep.equal({ MetricsTable: kept });
  });
});
