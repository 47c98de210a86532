import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  InvalidExecutionInput,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  StateMachineTypeNotSupported,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../src/dynamodb';
import { type LocalEventBridge, startLocalEventBridge } from '../../src/eventbridge';
import { functionNameOf, type InvokeLambda, type InvokeResult } from '../../src/lambda';
import { type LocalStepFunctions, startLocalStepFunctions } from '../../src/stepfunctions';
import { SfnApiError } from '../../src/stepfunctions/errors';
import { freePort, localCredentials, sleep, waitFor } from '../../src/util';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const BUS = 'espresso-sfn-test-bus';
const TABLE = 'espresso-sfn-test-orders';
const lambdaArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

/** The error a promise rejects with; fails the test when it resolves instead. */
const rejectionOf = async (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
};

const parse = (text: string | undefined): Record<string, unknown> => JSON.parse(text ?? 'null');

/**
 * The OrderProcessor's shape: emit an event carrying a task token and wait for the customer,
 * with the timeout taken from the input (TimeoutSecondsPath).
 */
const processorDefinition = {
  StartAt: 'WaitForCustomer',
  States: {
    WaitForCustomer: {
      Type: 'Task',
      Resource: 'arn:aws:states:::events:putEvents.waitForTaskToken',
      Parameters: {
        Entries: [
          {
            EventBusName: BUS,
            Source: 'espresso.orders',
            DetailType: 'OrderProcessor.WorkflowStarted',
            Detail: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' },
          },
        ],
      },
      TimeoutSecondsPath: '$.timeouts.customerSeconds',
      ResultPath: '$.selection',
      Catch: [
        { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'CustomerTimedOut' },
        { ErrorEquals: ['OrderCancelled'], ResultPath: '$.failure', Next: 'Cancelled' },
      ],
      Next: 'Placed',
    },
    Placed: { Type: 'Succeed' },
    CustomerTimedOut: {
      Type: 'Pass',
      Result: 'CUSTOMER',
      ResultPath: '$.timedOutStage',
      End: true,
    },
    Cancelled: { Type: 'Pass', Result: 'CANCELLED', ResultPath: '$.outcome', End: true },
  },
};

describe('local Step Functions (real SFNClient, DynamoDB Local, local EventBridge)', () => {
  let dynamo: DynamoDbLocal | undefined;
  let bridge: LocalEventBridge | undefined;
  let local: LocalStepFunctions | undefined;
  let sfn: SFNClient;
  const lambdaCalls: { name: string; payload: Record<string, unknown> }[] = [];
  /** Task tokens the barista function received, by order id. */
  const baristaTokens = new Map<string, string>();

  const functions: Record<string, (payload: Record<string, unknown>) => InvokeResult> = {
    'espresso-sfn-test-price': (payload) => ({ payload: { drinkId: payload.drinkId, price: 3.5 } }),
    // Jams on the first brew of each order, then works.
    'espresso-sfn-test-flaky': (payload) =>
      lambdaCalls.filter(
        (c) => c.name === 'espresso-sfn-test-flaky' && c.payload.orderId === payload.orderId,
      ).length === 1
        ? {
            functionError: 'Unhandled',
            payload: {
              errorType: 'CoffeeMachineJammed',
              errorMessage: 'the grinder jammed',
              trace: [],
            },
          }
        : { payload: { brewed: true } },
    'espresso-sfn-test-barista': (payload) => {
      baristaTokens.set(String(payload.orderId), String(payload.taskToken));
      return { payload: null };
    },
  };
  const invokeLambda: InvokeLambda = async (nameOrArn, payload) => {
    const name = functionNameOf(nameOrArn);
    const body = payload as Record<string, unknown>;
    lambdaCalls.push({ name, payload: body });
    const fn = functions[name];
    if (!fn) throw new Error(`no local service runs the function ${name}`);
    return fn(body);
  };

  const stepFunctions = (): LocalStepFunctions => {
    if (!local) throw new Error('the local Step Functions did not start');
    return local;
  };

  /** Creates a machine with a name unique to the test. */
  const machine = (
    prefix: string,
    definition: object,
    type: 'STANDARD' | 'EXPRESS' = 'STANDARD',
  ): string =>
    stepFunctions().createStateMachine({
      name: `${prefix}-${randomUUID().slice(0, 8)}`,
      type,
      definition: JSON.stringify(definition),
    }).arn;

  const start = async (stateMachineArn: string, input: object, name?: string) =>
    String(
      (
        await sfn.send(
          new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), name }),
        )
      ).executionArn,
    );

  /** Polls DescribeExecution until the execution is no longer RUNNING. */
  const finished = async (executionArn: string): Promise<DescribeExecutionCommandOutput> =>
    waitFor(async () => {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (out.status === 'RUNNING') throw new Error(`${executionArn} is still RUNNING`);
      return out;
    }, 10_000);

  const history = async (executionArn: string): Promise<HistoryEvent[]> =>
    (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ??
    [];

  /** The task token the processor emitted on the bus for an order. */
  const tokenOnBus = (orderId: string): Promise<string> =>
    waitFor(async () => {
      const event = bridge
        ?.events()
        .find(
          (e) =>
            e['detail-type'] === 'OrderProcessor.WorkflowStarted' && e.detail.orderId === orderId,
        );
      if (!event) throw new Error(`no WorkflowStarted event for ${orderId} yet`);
      return String(event.detail.taskToken);
    }, 5000);

  const baristaToken = (orderId: string): Promise<string> =>
    waitFor(async () => {
      const token = baristaTokens.get(orderId);
      if (!token) throw new Error(`the barista has no token for ${orderId} yet`);
      return token;
    }, 5000);

  before(async function () {
    this.timeout(60_000);
    const [dynamoPort, eventsPort, sfnPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    [dynamo, bridge] = await Promise.all([
      startDynamoDbLocal({ port: dynamoPort, dbPath: undefined }),
      startLocalEventBridge({ port: eventsPort, region: REGION, accountId: ACCOUNT, buses: [BUS] }),
    ]);
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    local = await startLocalStepFunctions({
      port: sfnPort,
      region: REGION,
      accountId: ACCOUNT,
      endpoints: { dynamodb: dynamo.endpoint, events: bridge.endpoint },
      invokeLambda,
    });
    sfn = new SFNClient({
      endpoint: local.endpoint,
      region: REGION,
      credentials: localCredentials,
      disableHostPrefix: true,
    });
  });

  after(async function () {
    this.timeout(20_000);
    sfn?.destroy();
    await local?.stop();
    await bridge?.stop();
    await dynamo?.stop();
  });

  describe('flow control', () => {
    const routerDefinition = {
      StartAt: 'Menu',
      States: {
        Menu: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.drinkId', StringEquals: 'latte', Next: 'Price' },
            { Variable: '$.drinkId', StringEquals: 'water', Next: 'NotCoffee' },
          ],
          Default: 'Unknown',
        },
        Price: {
          Type: 'Pass',
          Result: { price: 3.5 },
          ResultPath: '$.pricing',
          Next: 'NoDiscount',
        },
        NoDiscount: { Type: 'Pass', Result: false, ResultPath: '$.discounted', Next: 'Done' },
        Done: { Type: 'Succeed' },
        NotCoffee: { Type: 'Fail', Error: 'NotOnMenu', Cause: 'we only serve coffee' },
        Unknown: { Type: 'Fail' },
      },
    };
    let router: string;
    before(() => {
      router = machine('router', routerDefinition);
    });

    it('follows a Choice through Pass states to Succeed, with the Pass results in the output', async () => {
      const done = await finished(await start(router, { drinkId: 'latte' }));
      expect(done.status).to.equal('SUCCEEDED');
      expect(parse(done.output)).to.deep.equal({
        drinkId: 'latte',
        pricing: { price: 3.5 },
        discounted: false,
      });
      expect(done.startDate).to.be.instanceOf(Date);
      expect(done.stopDate).to.be.instanceOf(Date);
    });

    it('fails the execution at a Fail state with its Error and Cause', async () => {
      const done = await finished(await start(router, { drinkId: 'water' }));
      expect(done).to.include({
        status: 'FAILED',
        error: 'NotOnMenu',
        cause: 'we only serve coffee',
      });
    });

    it('fails without error or cause at a Fail state that names none', async () => {
      const done = await finished(await start(router, { drinkId: 'tea' }));
      expect(done.status).to.equal('FAILED');
      expect(done.error).to.equal(undefined);
      expect(done.cause).to.equal(undefined);
    });

    it('records every state entered and exited, in order, with ids and times', async () => {
      const arn = await start(router, { drinkId: 'latte' });
      await finished(arn);
      const events = await history(arn);
      expect(events.map((e) => e.type)).to.deep.equal([
        'ExecutionStarted',
        'ChoiceStateEntered',
        'ChoiceStateExited',
        'PassStateEntered',
        'PassStateExited',
        'PassStateEntered',
        'PassStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      expect(
        events
          .filter((e) => e.stateEnteredEventDetails)
          .map((e) => e.stateEnteredEventDetails?.name),
      ).to.deep.equal(['Menu', 'Price', 'NoDiscount', 'Done']);
      expect(events[4]?.stateExitedEventDetails).to.include({ name: 'Price' });
      expect(parse(events[4]?.stateExitedEventDetails?.output)).to.deep.include({
        pricing: { price: 3.5 },
      });
      events.forEach((event, index) => {
        expect(event).to.include({ id: index + 1, previousEventId: index });
        expect(event.timestamp).to.be.instanceOf(Date);
      });
      const times = events.map((e) => e.timestamp?.getTime() ?? 0);
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      const reversed = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }),
      );
      expect(reversed.events?.map((e) => e.type)).to.deep.equal([
        'ExecutionSucceeded',
        'SucceedStateExited',
      ]);
      expect(reversed.nextToken).to.be.a('string');
    });

    it('counts the state transitions of each execution for the status page', async () => {
      const arn = await start(router, { drinkId: 'latte' });
      await finished(arn);
      const summary = stepFunctions()
        .executions()
        .find((e) => e.executionArn === arn);
      expect(summary).to.include({ status: 'SUCCEEDED', stateTransitions: 4, type: 'STANDARD' });
    });

    it('counts executions and transitions as they happen, beside the kept executions', async () => {
      type Usage = Record<'STANDARD' | 'EXPRESS', { executions: number; transitions: number }>;
      const usage = async () =>
        (
          (await (await fetch(`${stepFunctions().endpoint}/_local/executions`)).json()) as {
            usage: Usage;
          }
        ).usage;
      const before = await usage();
      await finished(await start(router, { drinkId: 'latte' }));
      const after = await usage();
      expect(after.STANDARD.executions - before.STANDARD.executions).to.equal(1);
      expect(after.STANDARD.transitions - before.STANDARD.transitions).to.equal(4);
      expect(after.EXPRESS).to.deep.equal(before.EXPRESS);
    });
  });

  describe('task tokens', () => {
    let processor: string;
    before(() => {
      processor = machine('processor', processorDefinition);
    });

    it('puts the event with a fresh token on the bus and resumes on SendTaskSuccess', async () => {
      const [first, second] = [randomUUID(), randomUUID()];
      const arn = await start(processor, { orderId: first, timeouts: { customerSeconds: 30 } });
      await start(processor, { orderId: second, timeouts: { customerSeconds: 30 } });
      const token = await tokenOnBus(first);
      expect(token).to.have.length.greaterThan(64);
      expect(token).to.have.length(684); // as long as AWS's (several hundred characters)
      expect(await tokenOnBus(second)).to.not.equal(token);
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).to.equal(
        'RUNNING',
      );

      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: token, output: '{"drinkId":"latte"}' }),
      );
      const done = await finished(arn);
      expect(done.status).to.equal('SUCCEEDED');
      expect(parse(done.output).selection).to.deep.equal({ drinkId: 'latte' });
      const event = bridge?.events().find((e) => e.detail.orderId === first);
      expect(event?.resources).to.include(arn);
      const types = (await history(arn)).map((e) => e.type);
      expect(types).to.include.members([
        'TaskScheduled',
        'TaskStarted',
        'TaskSubmitted',
        'TaskSucceeded',
      ]);
      await sfn.send(
        new SendTaskFailureCommand({ taskToken: await tokenOnBus(second), error: 'x' }),
      );
    });

    it('refuses a second SendTaskSuccess with a used token (TaskTimedOut)', async () => {
      const orderId = randomUUID();
      const arn = await start(processor, { orderId, timeouts: { customerSeconds: 30 } });
      const token = await tokenOnBus(orderId);
      await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
      await finished(arn);
      const error = await rejectionOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      );
      expect(error).to.be.instanceOf(TaskTimedOut);
      expect(error.name).to.equal('TaskTimedOut');
    });

    it('hands SendTaskFailure error and cause to the Catch that names the error', async () => {
      const orderId = randomUUID();
      const arn = await start(processor, { orderId, timeouts: { customerSeconds: 30 } });
      await sfn.send(
        new SendTaskFailureCommand({
          taskToken: await tokenOnBus(orderId),
          error: 'OrderCancelled',
          cause: 'the customer left',
        }),
      );
      const done = await finished(arn);
      expect(done.status).to.equal('SUCCEEDED');
      expect(parse(done.output)).to.deep.include({
        outcome: 'CANCELLED',
        failure: { Error: 'OrderCancelled', Cause: 'the customer left' },
      });
      const failed = (await history(arn)).find((e) => e.type === 'TaskFailed');
      expect(failed?.taskFailedEventDetails).to.include({
        error: 'OrderCancelled',
        cause: 'the customer left',
        resourceType: 'events',
        resource: 'putEvents.waitForTaskToken',
      });
    });

    it('times the wait out after TimeoutSecondsPath seconds and catches States.Timeout', async () => {
      const orderId = randomUUID();
      const startedAt = Date.now();
      const arn = await start(processor, { orderId, timeouts: { customerSeconds: 1 } });
      const token = await tokenOnBus(orderId);
      const done = await finished(arn);
      expect(Date.now() - startedAt).to.be.within(900, 3000);
      expect(done.status).to.equal('SUCCEEDED');
      expect(parse(done.output)).to.deep.include({
        timedOutStage: 'CUSTOMER',
        timeout: { Error: 'States.Timeout', Cause: '' },
      });
      const timedOut = (await history(arn)).find((e) => e.type === 'TaskTimedOut');
      expect(timedOut?.taskTimedOutEventDetails?.error).to.equal('States.Timeout');
      const late = await rejectionOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      );
      expect(late).to.be.instanceOf(TaskTimedOut);
    });

    describe('HeartbeatSeconds', () => {
      let brewer: string;
      before(() => {
        brewer = machine('brewer', {
          StartAt: 'Brew',
          States: {
            Brew: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
              Parameters: {
                FunctionName: lambdaArn('espresso-sfn-test-barista'),
                Payload: { 'orderId.$': '$.orderId', 'taskToken.$': '$$.Task.Token' },
              },
              HeartbeatSeconds: 1,
              TimeoutSeconds: 20,
              ResultPath: '$.brew',
              Catch: [
                // A heartbeat timeout is no task failure: this catcher must not take it.
                { ErrorEquals: ['States.TaskFailed'], Next: 'WrongCatcher' },
                { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Abandoned' },
              ],
              End: true,
            },
            WrongCatcher: { Type: 'Fail', Error: 'WrongCatcher' },
            Abandoned: { Type: 'Pass', End: true },
          },
        });
      });

      it('keeps waiting past HeartbeatSeconds while SendTaskHeartbeat arrives', async () => {
        const orderId = randomUUID();
        const arn = await start(brewer, { orderId });
        const token = await baristaToken(orderId);
        for (let beat = 0; beat < 4; beat += 1) {
          await sleep(400);
          await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
        }
        await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"ready":true}' }));
        const done = await finished(arn);
        expect(done.status).to.equal('SUCCEEDED');
        expect(parse(done.output).brew).to.deep.equal({ ready: true });
      });

      it('raises States.HeartbeatTimeout, caught by States.Timeout, when heartbeats stop', async () => {
        const orderId = randomUUID();
        const arn = await start(brewer, { orderId });
        const token = await baristaToken(orderId);
        const done = await finished(arn);
        expect(done.status).to.equal('SUCCEEDED');
        expect(parse(done.output).timeout).to.deep.equal({
          Error: 'States.HeartbeatTimeout',
          Cause: '',
        });
        const late = await rejectionOf(
          sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })),
        );
        expect(late).to.be.instanceOf(TaskTimedOut);
      });
    });
  });

  describe('DynamoDB integration', () => {
    let claimer: string;
    before(() => {
      const key = { pk: { 'S.$': '$.orderId' } };
      claimer = machine('claimer', {
        StartAt: 'Create',
        States: {
          Create: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:putItem',
            Parameters: { TableName: TABLE, Item: { ...key, status: { S: 'QUEUED' } } },
            ResultPath: null,
            Next: 'Claim',
          },
          Claim: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:updateItem',
            Parameters: {
              TableName: TABLE,
              Key: key,
              UpdateExpression: 'SET #status = :next',
              ConditionExpression: '#status = :expected',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':next': { S: 'IN_PROGRESS' },
                ':expected': { 'S.$': '$.expectedStatus' },
              },
              ReturnValues: 'ALL_NEW',
            },
            ResultPath: '$.claim',
            Catch: [
              {
                ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
                ResultPath: '$.conflict',
                Next: 'Read',
              },
            ],
            Next: 'Read',
          },
          Read: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:getItem',
            Parameters: { TableName: TABLE, Key: key },
            ResultPath: '$.read',
            End: true,
          },
        },
      });
    });

    it('writes and reads DynamoDB Local, returning what DynamoDB returns', async () => {
      const orderId = randomUUID();
      const done = await finished(await start(claimer, { orderId, expectedStatus: 'QUEUED' }));
      expect(done.status).to.equal('SUCCEEDED');
      const output = parse(done.output);
      expect(output.claim).to.deep.equal({
        Attributes: { pk: { S: orderId }, status: { S: 'IN_PROGRESS' } },
      });
      expect(output.read).to.deep.equal({
        Item: { pk: { S: orderId }, status: { S: 'IN_PROGRESS' } },
      });
    });

    it('catches DynamoDB.ConditionalCheckFailedException when the condition fails', async () => {
      const orderId = randomUUID();
      const done = await finished(await start(claimer, { orderId, expectedStatus: 'COMPLETED' }));
      expect(done.status).to.equal('SUCCEEDED');
      const output = parse(done.output) as {
        conflict: { Error: string; Cause: string };
        read: unknown;
      };
      expect(output.conflict.Error).to.equal('DynamoDB.ConditionalCheckFailedException');
      expect(output.conflict.Cause).to.match(
        /conditional request failed.*Service: AmazonDynamoDBv2/i,
      );
      expect(output.read).to.deep.equal({ Item: { pk: { S: orderId }, status: { S: 'QUEUED' } } });
    });

    it('fails with DynamoDB.ResourceNotFoundException for a missing table', async () => {
      const reader = machine('reader', {
        StartAt: 'Read',
        States: {
          Read: {
            Type: 'Task',
            Resource: 'arn:aws:states:::dynamodb:getItem',
            Parameters: { TableName: 'no-such-table', Key: { pk: { S: 'x' } } },
            End: true,
          },
        },
      });
      const done = await finished(await start(reader, {}));
      expect(done).to.include({ status: 'FAILED', error: 'DynamoDB.ResourceNotFoundException' });
    });
  });

  describe('Lambda and EventBridge integrations', () => {
    it('retries a Lambda error named in Retry, then succeeds', async () => {
      const brew = machine('brew', {
        StartAt: 'Brew',
        States: {
          Brew: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: lambdaArn('espresso-sfn-test-flaky'), 'Payload.$': '$' },
            ResultSelector: { 'result.$': '$.Payload', 'status.$': '$.StatusCode' },
            Retry: [
              {
                ErrorEquals: ['CoffeeMachineJammed'],
                IntervalSeconds: 1,
                MaxAttempts: 2,
                BackoffRate: 1,
              },
            ],
            ResultPath: '$.brew',
            Next: 'Price',
          },
          Price: {
            Type: 'Task',
            Resource: lambdaArn('espresso-sfn-test-price'),
            ResultPath: '$.price',
            End: true,
          },
        },
      });
      const orderId = randomUUID();
      const arn = await start(brew, { orderId, drinkId: 'latte' });
      const done = await finished(arn);
      expect(done.status).to.equal('SUCCEEDED');
      expect(parse(done.output)).to.deep.include({
        brew: { result: { brewed: true }, status: 200 },
        price: { drinkId: 'latte', price: 3.5 },
      });
      expect(
        lambdaCalls.filter(
          (c) => c.name === 'espresso-sfn-test-flaky' && c.payload.orderId === orderId,
        ),
      ).to.have.length(2);
      const events = await history(arn);
      const failed = events.find((e) => e.type === 'TaskFailed');
      expect(failed?.taskFailedEventDetails?.error).to.equal('CoffeeMachineJammed');
      expect(parse(failed?.taskFailedEventDetails?.cause)).to.include({
        errorMessage: 'the grinder jammed',
      });
      expect(events.map((e) => e.type)).to.include.members([
        'LambdaFunctionScheduled',
        'LambdaFunctionSucceeded',
      ]);
      const summary = stepFunctions()
        .executions()
        .find((e) => e.executionArn === arn);
      expect(summary?.stateTransitions).to.equal(3); // Brew, its retry, Price
    });

    it('fails the execution with the error type the function threw when nothing retries it', async () => {
      const brew = machine('brew-once', {
        StartAt: 'Brew',
        States: {
          Brew: { Type: 'Task', Resource: lambdaArn('espresso-sfn-test-flaky'), End: true },
        },
      });
      const done = await finished(await start(brew, { orderId: randomUUID() }));
      expect(done).to.include({ status: 'FAILED', error: 'CoffeeMachineJammed' });
    });

    it('puts an event on the local bus with events:putEvents', async () => {
      const announce = machine('announce', {
        StartAt: 'Announce',
        States: {
          Announce: {
            Type: 'Task',
            Resource: 'arn:aws:states:::events:putEvents',
            Parameters: {
              Entries: [
                {
                  EventBusName: BUS,
                  Source: 'espresso.orders',
                  DetailType: 'OrderProcessor.OrderFinished',
                  Detail: { 'orderId.$': '$.orderId', outcome: 'COMPLETED' },
                },
              ],
            },
            End: true,
          },
        },
      });
      const orderId = randomUUID();
      const done = await finished(await start(announce, { orderId }));
      expect(done.status).to.equal('SUCCEEDED');
      const output = parse(done.output) as {
        Entries: { EventId: string }[];
        FailedEntryCount: number;
      };
      expect(output.FailedEntryCount).to.equal(0);
      const event = bridge?.events().find((e) => e.id === output.Entries[0]?.EventId);
      expect(event).to.deep.include({
        'detail-type': 'OrderProcessor.OrderFinished',
        source: 'espresso.orders',
        eventBusName: BUS,
        detail: { orderId, outcome: 'COMPLETED' },
      });
    });
  });

  describe('Express workflows', () => {
    it('runs an Express machine to its end with StartSyncExecution and resumes a waiting workflow', async () => {
      const processor = machine('processor', processorDefinition);
      const manager = machine(
        'manager',
        {
          StartAt: 'Resume',
          States: {
            Resume: {
              Type: 'Task',
              Resource: 'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess',
              Parameters: {
                'TaskToken.$': '$.taskToken',
                'Output.$': 'States.JsonToString($.selection)',
              },
              ResultPath: null,
              Next: 'Placed',
            },
            Placed: {
              Type: 'Pass',
              Parameters: { 'orderId.$': '$.orderId', placed: true },
              End: true,
            },
          },
        },
        'EXPRESS',
      );
      const orderId = randomUUID();
      const arn = await start(processor, { orderId, timeouts: { customerSeconds: 30 } });
      const taskToken = await tokenOnBus(orderId);
      const input = JSON.stringify({ orderId, taskToken, selection: { drinkId: 'flat-white' } });

      const sync = await sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: manager, input }),
      );
      expect(sync.status).to.equal('SUCCEEDED');
      expect(parse(sync.output)).to.deep.equal({ orderId, placed: true });
      expect(sync.executionArn).to.match(/:express:manager-/);
      expect(sync.startDate).to.be.instanceOf(Date);
      expect(parse((await finished(arn)).output).selection).to.deep.equal({
        drinkId: 'flat-white',
      });

      const again = await sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: manager, input }),
      );
      expect(again).to.include({ status: 'FAILED', error: 'Sfn.TaskTimedOutException' });
      expect(again.cause).to.match(/TaskTimedOut/);
    });

    it('refuses StartSyncExecution on a Standard machine', async () => {
      const processor = machine('processor', processorDefinition);
      const error = await rejectionOf(
        sfn.send(new StartSyncExecutionCommand({ stateMachineArn: processor, input: '{}' })),
      );
      expect(error).to.be.instanceOf(StateMachineTypeNotSupported);
    });

    it('refuses to create an Express machine that waits for a task token, as AWS does', () => {
      expect(() => machine('express-callback', processorDefinition, 'EXPRESS'))
        .to.throw(SfnApiError, /waitForTaskToken/)
        .with.property('type', 'InvalidDefinition');
    });
  });

  describe('executions API', () => {
    let processor: string;
    before(() => {
      processor = machine('processor', processorDefinition);
    });

    it('lists, describes and stops a running execution', async () => {
      const orderId = randomUUID();
      const arn = await start(processor, { orderId, timeouts: { customerSeconds: 60 } });
      const token = await tokenOnBus(orderId);
      const running = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: processor, statusFilter: 'RUNNING' }),
      );
      expect(running.executions?.map((e) => e.executionArn)).to.include(arn);

      const stopped = await sfn.send(
        new StopExecutionCommand({ executionArn: arn, error: 'ShopClosed', cause: 'closed early' }),
      );
      expect(stopped.stopDate).to.be.instanceOf(Date);
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      expect(described).to.include({
        status: 'ABORTED',
        error: 'ShopClosed',
        cause: 'closed early',
        stateMachineArn: processor,
        input: JSON.stringify({ orderId, timeouts: { customerSeconds: 60 } }),
      });
      const aborted = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: processor, statusFilter: 'ABORTED' }),
      );
      expect(aborted.executions?.map((e) => e.executionArn)).to.include(arn);
      expect((await history(arn)).at(-1)?.type).to.equal('ExecutionAborted');
      const late = await rejectionOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
      );
      expect(late).to.be.instanceOf(TaskTimedOut);
    });

    it('returns the running execution for the same name and input, and refuses other input', async () => {
      const name = `order-${randomUUID()}`;
      const input = { orderId: randomUUID(), timeouts: { customerSeconds: 60 } };
      const first = await start(processor, input, name);
      expect(await start(processor, input, name)).to.equal(first);
      const error = await rejectionOf(start(processor, { ...input, orderId: 'other' }, name));
      expect(error).to.be.instanceOf(ExecutionAlreadyExists);
      await sfn.send(new StopExecutionCommand({ executionArn: first }));
    });

    it('describes and lists state machines', async () => {
      const described = await sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: processor }),
      );
      expect(described).to.include({
        stateMachineArn: processor,
        type: 'STANDARD',
        status: 'ACTIVE',
      });
      expect(JSON.parse(String(described.definition))).to.deep.equal(processorDefinition);
      const listed = await sfn.send(new ListStateMachinesCommand({}));
      expect(listed.stateMachines?.map((m) => m.stateMachineArn)).to.include(processor);
    });

    const wellFormedUnknownToken = `AQCl${'A'.repeat(680)}`;
    const missingExecution = `arn:aws:states:${REGION}:${ACCOUNT}:execution:nope:nope`;
    const missingMachine = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:nope`;
    [
      {
        name: 'InvalidArn for an ARN that is not an execution ARN',
        call: () => sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
        expected: InvalidArn,
      },
      {
        name: 'ExecutionDoesNotExist for an unknown execution',
        call: () => sfn.send(new DescribeExecutionCommand({ executionArn: missingExecution })),
        expected: ExecutionDoesNotExist,
      },
      {
        name: 'ExecutionDoesNotExist for the history of an unknown execution',
        call: () => sfn.send(new GetExecutionHistoryCommand({ executionArn: missingExecution })),
        expected: ExecutionDoesNotExist,
      },
      {
        name: 'StateMachineDoesNotExist for an unknown state machine',
        call: () => sfn.send(new StartExecutionCommand({ stateMachineArn: missingMachine })),
        expected: StateMachineDoesNotExist,
      },
      {
        name: 'InvalidExecutionInput for input that is not JSON',
        call: () =>
          sfn.send(new StartExecutionCommand({ stateMachineArn: processor, input: '{nope' })),
        expected: InvalidExecutionInput,
      },
      {
        name: 'InvalidToken for a token that is not one',
        call: () => sfn.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
        expected: InvalidToken,
      },
      {
        name: 'TaskDoesNotExist for a token this service never issued',
        call: () =>
          sfn.send(new SendTaskFailureCommand({ taskToken: wellFormedUnknownToken, error: 'x' })),
        expected: TaskDoesNotExist,
      },
    ].forEach((c) => {
      it(`answers ${c.name}, with status 400`, async () => {
        const error = await rejectionOf(c.call());
        expect(error).to.be.instanceOf(c.expected);
        expect((error.$metadata as { httpStatusCode?: number }).httpStatusCode).to.equal(400);
      });
    });

    it('refuses a definition whose Task resource is not implemented locally', () => {
      expect(() =>
        machine('unsupported', {
          StartAt: 'Send',
          States: {
            Send: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', End: true },
          },
        }),
      )
        .to.throw(SfnApiError, /sns:publish of state Send is not supported/)
        .with.property('type', 'InvalidDefinition');
    });
  });
});
