import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { LOCAL_ACCOUNT_ID, resourcesOfType } from '../cloudformation';
import { type LaunchedDynamoDbLocal, launchDynamoDbLocal } from '../dynamodb';
import { type LocalEventBridge, startLocalEventBridge } from '../eventbridge';
import { type LocalIssuer, startLocalIssuer } from '../identity';
import { createLambdaInvoker, type InvokeLambda } from '../lambda';
import { LOCAL_REGION } from '../services';
import { type LocalSqs, startLocalSqs } from '../sqs';
import { type LocalStepFunctions, startLocalStepFunctions } from '../stepfunctions';
import { localCredentials } from '../util';
import type { PackagedService } from './package';
import { localUrl, type StackPlan } from './plan';
import type { Stoppers } from './stoppers';

/** The local AWS endpoints of a stack. */
export interface LocalAws {
  /** Launched: `dynamodb.ready` resolves once it answers (the stack starts offline meanwhile). */
  dynamodb: LaunchedDynamoDbLocal;
  issuer: LocalIssuer;
  eventBridge: LocalEventBridge;
  sqs: LocalSqs;
  sfn: LocalStepFunctions;
  /** Invokes a function in the serverless offline of the service that owns it. */
  invokeLambda: InvokeLambda;
  /** The endpoints handlers and workflows call (through `StackOptions.interpose` when given). */
  called: { dynamodb: string; events: string; sqs: string };
}

/** What the phases after the local AWS endpoints work with. */
export interface StackParts {
  plan: StackPlan;
  packaged: PackagedService[];
  aws: LocalAws;
  stoppers: Stoppers;
}

/** An AWS SDK client's settings for a local endpoint. */
export const localClientConfig = (endpoint: string) => ({
  endpoint,
  region: LOCAL_REGION,
  credentials: localCredentials,
});

/**
 * DynamoDB Local launched (data under the state folder unless `persist` is off; its JVM takes
 * seconds to answer, awaited by whoever needs it) and the token issuer started.
 */
const startStorage = async (plan: StackPlan, stoppers: Stoppers) => {
  const dbPath = plan.persist ? path.join(plan.stateDir, 'dynamodb') : undefined;
  if (dbPath) await mkdir(dbPath, { recursive: true });
  const dynamodb = await launchDynamoDbLocal({ port: plan.ports.dynamodb, dbPath });
  stoppers.add(dynamodb.stop);
  const issuer = await startLocalIssuer({ port: plan.ports.identity, stateDir: plan.stateDir });
  stoppers.add(issuer.stop);
  return { dynamodb, issuer };
};

/** EventBridge with the buses of every template, and SQS (queues kept in the state folder). */
const startBusAndQueues = async (
  plan: StackPlan,
  packaged: PackagedService[],
  stoppers: Stoppers,
) => {
  const buses = packaged.flatMap(({ template, ctx }) =>
    resourcesOfType(template, 'AWS::Events::EventBus').map(({ logicalId }) =>
      String(ctx.refs[logicalId]),
    ),
  );
  const where = { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID };
  const eventBridge = await startLocalEventBridge({ port: plan.ports.events, ...where, buses });
  stoppers.add(eventBridge.stop);
  const sqs = await startLocalSqs({
    port: plan.ports.sqs,
    ...where,
    ...(plan.persist ? { stateFile: path.join(plan.stateDir, 'sqs.json') } : {}),
  });
  stoppers.add(sqs.stop);
  return { eventBridge, sqs };
};

/** Functions run in the serverless offline of the service that owns them, with their timeouts. */
const lambdaInvoker = async (plan: StackPlan, packaged: PackagedService[]) => {
  const routes = new Map<string, string>();
  const timeouts = new Map<string, number>();
  for (const { name, template } of packaged) {
    const lambdaPort = plan.servicePorts[name]?.lambdaPort ?? 0;
    const lambdaEndpoint = await plan.via('lambda', localUrl(lambdaPort));
    for (const { properties } of resourcesOfType(template, 'AWS::Lambda::Function')) {
      routes.set(String(properties.FunctionName), lambdaEndpoint);
      // CloudFormation's default is 3 s.
      timeouts.set(String(properties.FunctionName), Number(properties.Timeout ?? 3));
    }
  }
  return createLambdaInvoker(routes, timeouts);
};

/** Step Functions, its integrations calling the endpoints handlers call. */
const startStepFunctions = async (
  plan: StackPlan,
  endpoints: { dynamodb: string; events: string },
  invokeLambda: InvokeLambda,
  stoppers: Stoppers,
) => {
  const sfn = await startLocalStepFunctions({
    port: plan.ports.sfn,
    region: LOCAL_REGION,
    accountId: LOCAL_ACCOUNT_ID,
    endpoints,
    invokeLambda,
    log: plan.log,
    // Standard executions survive a restart: resumed (resumeWorkflows) once the functions answer.
    ...(plan.persist ? { stateFile: path.join(plan.stateDir, 'executions.json') } : {}),
  });
  stoppers.add(sfn.stop);
  return sfn;
};

/**
 * The local AWS endpoints: DynamoDB Local launched, the token issuer, EventBridge, SQS and Step
 * Functions started (none of them calls DynamoDB before the stack is up).
 */
export const startLocalAws = async (
  plan: StackPlan,
  packaged: PackagedService[],
  stoppers: Stoppers,
): Promise<LocalAws> => {
  const { dynamodb, issuer } = await startStorage(plan, stoppers);
  const { eventBridge, sqs } = await startBusAndQueues(plan, packaged, stoppers);
  const invokeLambda = await lambdaInvoker(plan, packaged);
  const called = {
    dynamodb: await plan.via('dynamodb', dynamodb.endpoint),
    events: await plan.via('events', eventBridge.endpoint),
    sqs: await plan.via('sqs', sqs.endpoint),
  };
  const sfn = await startStepFunctions(
    plan,
    { dynamodb: called.dynamodb, events: called.events },
    invokeLambda,
    stoppers,
  );
  plan.progress('the token issuer, EventBridge, SQS and Step Functions');
  return { dynamodb, issuer, eventBridge, sqs, sfn, invokeLambda, called };
};
