import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Template } from '@espresso/local-cloud';
import { isDetailType } from '@espresso/schemas';
import { checkServiceTemplate, SERVICE_CONTRACTS } from '@espresso/schemas/contracts';
import {
  dependencyCycles,
  formatCycle,
  functionRoles,
  outputsWithoutOneValue,
  ownPermissions,
  packageStageService,
  printForTest,
  tablePolicies,
} from '@espresso/test-support';
import aslValidator from 'asl-validator';
import { expect } from 'chai';

const serviceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A stage with no settings of its own, packaged as deploy-readiness and cfn-lint package it. */
const STAGE = 'qa7';
/** The params compose gives it: from the config service's outputs (placeholder account). */
let params: Record<string, string>;

describe('orders service template (serverless package)', function () {
  this.timeout(300_000);
  let template: Template;

  before(async () => {
    ({ template, params } = await packageStageService('orders', STAGE));
  });
  const resources = (type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);

  it('matches its contract: rules on events some service emits, the declared consumes and routes', () => {
    // packages/schemas/src/contracts/services/orders.ts; a failure names the rule and the fix.
    expect(checkServiceTemplate('orders', template, SERVICE_CONTRACTS)).to.deep.equal([]);
  });
  it('gives every function its own role and leaves no shared one', () => {
    const roles = functionRoles(template);
    expect(roles).to.have.length(13);
    expect(new Set(roles.map((r) => r.roleLogicalId)).size).to.equal(13);
    expect(resources('AWS::IAM::Role').map(([id]) => id)).not.to.include('IamRoleLambdaExecution');
  });

  it('grants each function exactly the actions it uses on exactly its resources', () => {
    const orders = JSON.stringify({ 'Fn::GetAtt': ['OrdersTable', 'Arn'] });
    const indexes = JSON.stringify({
      'Fn::Join': ['/', [{ 'Fn::GetAtt': ['OrdersTable', 'Arn'] }, 'index', '*']],
    });
    const qr = JSON.stringify({ 'Fn::GetAtt': ['QrCodesTable', 'Arn'] });
    const counters = JSON.stringify({ 'Fn::GetAtt': ['CountersTable', 'Arn'] });
    const shops = JSON.stringify(params.shopsTableArn);
    const stream = JSON.stringify({ 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] });
    const failures = JSON.stringify({ 'Fn::GetAtt': ['AnnounceFailuresQueue', 'Arn'] });
    const bus = JSON.stringify(params.eventBusArn);
    // Built from the workflows' names, not `Ref`: a `Ref` closes a dependency cycle (the
    // OrderProcessor invokes functions whose roles resume it).
    const machineArn = (name: string) =>
      JSON.stringify({
        'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}`,
      });
    const manager = machineArn('espresso-orders-qa7-order-manager');
    const processor = machineArn('espresso-orders-qa7-order-processor');
    const executions = JSON.stringify({
      'Fn::Join': [
        ':',
        [
          'arn:aws:states',
          { Ref: 'AWS::Region' },
          { Ref: 'AWS::AccountId' },
          'execution',
          'espresso-orders-qa7-order-processor',
          '*',
        ],
      ],
    });
    const step = {
      'dynamodb:GetItem': [orders],
      'dynamodb:UpdateItem': [orders],
      'events:PutEvents': [bus],
    };
    expect(
      Object.fromEntries(
        functionRoles(template).map((r) => [
          r.functionName.replace('espresso-orders-qa7-', ''),
          ownPermissions(r.statements),
        ]),
      ),
    ).to.deep.equal({
      getQrCode: { 'dynamodb:GetItem': [qr, shops].sort(), 'dynamodb:PutItem': [qr] },
      createOrder: {
        'dynamodb:GetItem': [qr, shops].sort(),
        'dynamodb:UpdateItem': [counters, qr].sort(),
        'dynamodb:PutItem': [orders],
      },
      announceOrders: {
        'dynamodb:GetItem': [qr],
        // Added by the plugin for the stream event: its reads, on this stream only.
        'dynamodb:DescribeStream': [stream],
        'dynamodb:GetRecords': [stream],
        'dynamodb:GetShardIterator': [stream],
        'dynamodb:ListStreams': [stream],
        'events:PutEvents': [bus],
        'sqs:SendMessage': [failures],
      },
      getOrder: { 'dynamodb:GetItem': [orders] },
      getJourney: {
        'dynamodb:GetItem': [orders],
        'states:DescribeExecution': [executions],
        'states:GetExecutionHistory': [executions],
      },
      listMyOrders: { 'dynamodb:Query': [indexes] },
      getQueue: { 'dynamodb:Query': [indexes] },
      // The choice is kept on the order (UpdateItem) while the workflow does not wait for it.
      putOrder: {
        'dynamodb:GetItem': [orders, shops].sort(),
        'dynamodb:UpdateItem': [orders],
        'states:StartSyncExecution': [manager],
      },
      orderAction: { 'dynamodb:GetItem': [orders], 'states:StartSyncExecution': [manager] },
      // The OrderProcessor's steps: admission reads the shop and takes the order and a slot
      // (one transaction over the orders and counters tables); the barista wait takes the
      // order's number; the ending gives the slot back in its transaction.
      admitOrder: {
        'dynamodb:GetItem': [orders, shops].sort(),
        'dynamodb:UpdateItem': [counters, orders].sort(),
      },
      // It applies a choice kept before the wait through the OrderManager.
      awaitCustomer: {
        ...step,
        'states:SendTaskSuccess': [processor],
        'states:StartSyncExecution': [manager],
      },
      awaitBarista: {
        ...step,
        'dynamodb:UpdateItem': [counters, orders].sort(),
        'states:SendTaskSuccess': [processor],
      },
      // At the customer timeout it applies a choice kept on the order through the OrderManager.
      endOrder: {
        ...step,
        'dynamodb:UpdateItem': [counters, orders].sort(),
        'states:StartSyncExecution': [manager],
      },
    });
  });

  for (const [file, id] of [
    ['order-processor.asl.yml', 'OrderProcessorStateMachine'],
    ['order-manager.asl.yml', 'OrderManagerStateMachine'],
  ] as const) {
    it(`packages ${id} with a definition asl-validator accepts`, async () => {
      const machine = template.Resources[id];
      expect(machine?.Type).to.equal('AWS::StepFunctions::StateMachine');
      const raw = machine?.Properties?.DefinitionString as
        | string
        | { 'Fn::Sub': [string, unknown] };
      const text = typeof raw === 'string' ? raw : raw['Fn::Sub'][0];
      const definition = JSON.parse(
        text.replace(/\$\{[^}]+\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:x'),
      );
      const { isValid, errorsText } = aslValidator(definition);
      expect(isValid, errorsText('\n')).to.equal(true);
      expect(await readFile(path.join(serviceDir, 'statemachines', file), 'utf8')).to.contain(
        'StartAt',
      );
    });
  }

  it('starts the OrderProcessor from a rule whose detail-types all exist in the schemas', () => {
    const rules = resources('AWS::Events::Rule');
    expect(rules).to.have.length(1);
    for (const [, rule] of rules) {
      const pattern = rule.Properties?.EventPattern as { 'detail-type': string[] };
      for (const type of pattern['detail-type']) expect(isDetailType(type), type).to.equal(true);
      expect(rule.Properties?.EventBusName).to.equal(params.eventBusName);
      expect(((rule.Properties?.Targets ?? []) as { Arn: unknown }[])[0]?.Arn).to.deep.equal({
        Ref: 'OrderProcessorStateMachine',
      });
    }
  });

  it('announces new orders from the orders table’s stream: inserts only, failures to a queue', () => {
    const table = template.Resources.OrdersTable?.Properties as Record<string, unknown>;
    expect(table.StreamSpecification).to.deep.equal({ StreamViewType: 'NEW_IMAGE' });
    const mappings = resources('AWS::Lambda::EventSourceMapping');
    expect(mappings).to.have.length(1);
    const mapping = mappings[0]?.[1].Properties as Record<string, unknown>;
    expect(mapping).to.deep.include({
      EventSourceArn: { 'Fn::GetAtt': ['OrdersTable', 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['AnnounceFailuresQueue', 'Arn'] } },
      },
    });
    expect(JSON.stringify(template.Resources.AnnounceFailuresQueue?.Properties)).to.contain(
      '"SqsManagedSseEnabled":true',
    );
  });

  it('lets the OrderProcessor only invoke its four step functions (their own roles do the rest)', () => {
    const role = template.Resources.OrderProcessorStateMachineRole;
    const statements = (
      (role?.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: Parameters<typeof ownPermissions>[0] };
      }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const permissions = ownPermissions(statements);
    expect(Object.keys(permissions)).to.deep.equal(['lambda:InvokeFunction']);
    const functions = new Set(
      (permissions['lambda:InvokeFunction'] ?? []).map(
        (r) => /"Fn::GetAtt":\["(\w+)","Arn"\]/.exec(r)?.[1],
      ),
    );
    expect([...functions].sort()).to.deep.equal([
      'AdmitOrderLambdaFunction',
      'AwaitBaristaLambdaFunction',
      'AwaitCustomerLambdaFunction',
      'EndOrderLambdaFunction',
    ]);
  });

  it('lets a browser send Idempotency-Key and read Idempotent-Replayed (CORS of the HTTP API)', () => {
    const [[, api] = []] = resources('AWS::ApiGatewayV2::Api');
    const cors = (api?.Properties as { CorsConfiguration?: Record<string, string[]> })
      ?.CorsConfiguration;
    expect(cors?.AllowHeaders).to.include.members([
      'Authorization',
      'Content-Type',
      'Idempotency-Key',
    ]);
    expect(cors?.ExposeHeaders).to.include('Idempotent-Replayed');
    expect(cors?.AllowMethods).to.include.members(['GET', 'POST', 'PUT']);
  });

  it('gives every output one value CloudFormation accepts (a string or one intrinsic)', () => {
    expect(outputsWithoutOneValue(template)).to.deep.equal([]);
  });

  it('lets the OrderManager update only the orders table, put events only on the bus, and resume only the processor', () => {
    const [, role] =
      resources('AWS::IAM::Role').find(
        ([id]) => id.includes('OrderManager') || id.includes('orderDashmanager'),
      ) ?? [];
    const statements = JSON.stringify(role?.Properties?.Policies);
    expect(statements)
      .to.contain('table/espresso-orders-qa7-orders')
      .and.to.contain('states:SendTaskSuccess');
    expect(statements).to.contain('stateMachine:espresso-orders-qa7-order-processor');
    expect(statements).not.to.contain('"Resource":"*"');
  });
  it('forms no dependency cycle: its roles name the workflows by ARN, not Ref (cfn-lint E3004)', () => {
    // The OrderProcessor invokes awaitCustomer and awaitBarista, whose roles may resume it.
    expect(dependencyCycles(template).map(formatCycle)).to.deep.equal([]);
    for (const [id, fn] of resources('AWS::Lambda::Function')) {
      const environment = fn.Properties?.Environment as
        | { Variables?: Record<string, unknown> }
        | undefined;
      expect(JSON.stringify(environment?.Variables?.ORDER_MANAGER_ARN), id).to.include(
        ':stateMachine:espresso-orders-qa7-order-manager',
      );
    }
  });

  it('deletes its tables with the stack on a non-prod stage and keeps them on prod (serverless.common.yml)', async function () {
    this.timeout(60_000);
    // A kept table under its fixed name would make `remove` then `deploy` of a stage fail.
    const deleted = { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' };
    const kept = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };
    expect(tablePolicies(template.Resources)).to.deep.equal({
      OrdersTable: deleted,
      QrCodesTable: deleted,
      CountersTable: deleted,
    });
    const prod = await printForTest(serviceDir, 'prod', params);
    expect(tablePolicies(prod.resources.Resources)).to.deep.equal({
      OrdersTable: kept,
      QrCodesTable: kept,
      CountersTable: kept,
    });
  });
});
