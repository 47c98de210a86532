// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text, not JS templates.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LOCAL_ACCOUNT_ID, type Template } from '../../src/cloudformation';
import { buildResolveContext } from '../../src/context';
import {
  type LocalStepFunctions,
  startLocalStepFunctions,
  stateMachinesFromTemplate,
} from '../../src/stepfunctions';
import { freePort } from '../../src/util';

const REGION = 'us-east-1';

/** serverless-step-functions names each intrinsic's Fn::Sub variable by the MD5 of its JSON. */
const variable = (intrinsic: object) =>
  createHash('md5').update(JSON.stringify(intrinsic)).digest('hex');

const ordersTable = { Ref: 'OrdersTable' };
const priceFunction = { 'Fn::GetAtt': ['PriceLambdaFunction', 'Arn'] };

/** The OrderProcessor as the plugin writes it: pretty JSON, `${md5}` variables, `#{AWS::…}` as `${AWS::…}`. */
const processorAsl = {
  Comment: 'OrderProcessor',
  StartAt: 'LoadShop',
  States: {
    LoadShop: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: `\${${variable(ordersTable)}}`, Key: { pk: { 'S.$': '$.shopId' } } },
      ResultPath: '$.shop',
      Next: 'WaitForCustomer',
    },
    WaitForCustomer: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      Parameters: {
        Entries: [
          {
            EventBusName: 'espresso-test-bus',
            Source: 'espresso.orders',
            DetailType: 'OrderProcessor.WorkflowStarted',
            Detail: { 'taskToken.$': '$$.Task.Token', account: '${AWS::AccountId}' },
          },
        ],
      },
      TimeoutSecondsPath: '$.timeouts.customerSeconds',
      ResultPath: '$.selection',
      Next: 'Price',
    },
    Price: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: `\${${variable(priceFunction)}}`, 'Payload.$': '$' },
      End: true,
    },
  },
};

const managerAsl = {
  StartAt: 'Placed',
  States: { Placed: { Type: 'Pass', End: true } },
};

const template: Template = {
  Resources: {
    OrdersTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { TableName: 'espresso-orders-test-orders' },
    },
    PriceLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'espresso-orders-test-price' },
    },
    OrderProcessorRole: { Type: 'AWS::IAM::Role', Properties: {} },
    OrderProcessorStepFunctionsStateMachine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: {
          'Fn::Sub': [
            JSON.stringify(processorAsl, undefined, 2),
            { [variable(ordersTable)]: ordersTable, [variable(priceFunction)]: priceFunction },
          ],
        },
        RoleArn: { 'Fn::GetAtt': ['OrderProcessorRole', 'Arn'] },
        StateMachineName: 'espresso-orders-test-order-processor',
      },
    },
    OrderManagerStepFunctionsStateMachine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        // Without intrinsics the plugin writes the definition as a plain string.
        DefinitionString: JSON.stringify(managerAsl, undefined, 2),
        StateMachineType: 'EXPRESS',
        StateMachineName: { 'Fn::Join': ['-', ['espresso-orders', 'test', 'order-manager']] },
      },
    },
    UnnamedStateMachine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        Definition: {
          StartAt: 'Read',
          States: {
            Read: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:getItem',
              Parameters: { TableName: '${table}', Key: { pk: { S: 'x' } } },
              End: true,
            },
          },
        },
        DefinitionSubstitutions: { table: ordersTable },
      },
    },
  },
};

describe('stateMachinesFromTemplate', () => {
  const ctx = buildResolveContext([template], REGION, LOCAL_ACCOUNT_ID);
  const machines = stateMachinesFromTemplate(template, ctx);
  const byId = (logicalId: string) => {
    const found = machines.find((m) => m.logicalId === logicalId);
    if (!found) throw new Error(`no state machine ${logicalId}`);
    return found;
  };

  it('reads every AWS::StepFunctions::StateMachine with its name, ARN and type', () => {
    expect(machines.map(({ definition: _definition, ...m }) => m)).to.deep.equal([
      {
        logicalId: 'OrderProcessorStepFunctionsStateMachine',
        name: 'espresso-orders-test-order-processor',
        arn: `arn:aws:states:${REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:espresso-orders-test-order-processor`,
        type: 'STANDARD',
      },
      {
        logicalId: 'OrderManagerStepFunctionsStateMachine',
        name: 'espresso-orders-test-order-manager',
        arn: `arn:aws:states:${REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:espresso-orders-test-order-manager`,
        type: 'EXPRESS',
      },
      {
        logicalId: 'UnnamedStateMachine',
        name: 'UnnamedStateMachine',
        arn: `arn:aws:states:${REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:UnnamedStateMachine`,
        type: 'STANDARD',
      },
    ]);
  });

  it('resolves the Fn::Sub variables (Ref, Fn::GetAtt) and pseudo parameters in DefinitionString', () => {
    const asl = JSON.parse(byId('OrderProcessorStepFunctionsStateMachine').definition);
    expect(asl.States.LoadShop.Parameters.TableName).to.equal('espresso-orders-test-orders');
    expect(asl.States.Price.Parameters.FunctionName).to.equal(
      `arn:aws:lambda:${REGION}:${LOCAL_ACCOUNT_ID}:function:espresso-orders-test-price`,
    );
    expect(asl.States.WaitForCustomer.Parameters.Entries[0].Detail).to.deep.equal({
      'taskToken.$': '$$.Task.Token',
      account: LOCAL_ACCOUNT_ID,
    });
    expect(asl.States.WaitForCustomer.TimeoutSecondsPath).to.equal('$.timeouts.customerSeconds');
  });

  it('takes a plain DefinitionString as it is, and applies DefinitionSubstitutions to Definition', () => {
    expect(JSON.parse(byId('OrderManagerStepFunctionsStateMachine').definition)).to.deep.equal(
      managerAsl,
    );
    const unnamed = JSON.parse(byId('UnnamedStateMachine').definition);
    expect(unnamed.States.Read.Parameters.TableName).to.equal('espresso-orders-test-orders');
  });

  describe('with the local Step Functions', () => {
    let local: LocalStepFunctions | undefined;
    before(async () => {
      local = await startLocalStepFunctions({
        port: await freePort(),
        region: REGION,
        accountId: LOCAL_ACCOUNT_ID,
        endpoints: { dynamodb: 'http://127.0.0.1:9', events: 'http://127.0.0.1:9' },
        invokeLambda: async () => ({ payload: null }),
      });
    });
    after(async () => {
      await local?.stop();
    });

    it('creates every machine of the template under the ARN its Ref resolves to', () => {
      for (const m of machines) {
        expect(local?.createStateMachine(m)).to.deep.equal({
          arn: m.arn,
          name: m.name,
          type: m.type,
        });
        expect(ctx.refs[m.logicalId]).to.equal(m.arn);
      }
    });
  });
});
