import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { InvokeLambda } from '../lambda';
import { isJsonObject } from './definition';
import { SfnApiError, TaskFailure } from './errors';
import type { TaskTokens } from './tokens';

/** The execution a task runs in. */
export interface TaskRuntime {
  executionArn: string;
  stateMachineArn: string;
}

export interface IntegrationDeps {
  dynamodb: DynamoDBClient;
  events: EventBridgeClient;
  invokeLambda: InvokeLambda;
  tokens: TaskTokens;
  log: (line: string) => void;
}

/** How one Task `Resource` runs locally. */
export interface Integration {
  /** For the history: `TaskScheduled.resourceType`/`resource` (e.g. `dynamodb`, `updateItem`). */
  resourceType: string;
  resource: string;
  /** A plain Lambda ARN: the history has `LambdaFunction*` events, the result is the payload. */
  lambdaFunction: boolean;
  /** `.waitForTaskToken`: the result comes from SendTaskSuccess/Failure. */
  callback: boolean;
  /** Calls the service with the state's processed input; rejects with a `TaskFailure`. */
  call(payload: unknown, runtime: TaskRuntime): Promise<unknown>;
}

/** The resources the local Step Functions runs (`integrationFor` names them in its error). */
export const SUPPORTED_RESOURCES = [
  'arn:aws:states:::dynamodb:getItem | putItem | updateItem | deleteItem',
  'arn:aws:states:::events:putEvents[.waitForTaskToken]',
  'arn:aws:states:::lambda:invoke[.waitForTaskToken]',
  'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess | sendTaskFailure | sendTaskHeartbeat',
  'arn:aws:lambda:<region>:<account>:function:<name>',
];

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** `<message> (Service: …; Status Code: …; Error Code: …; Request ID: …)`, the cause AWS reports. */
const serviceCause = (service: string, error: SdkError) =>
  `${error.message ?? ''} (Service: ${service}; Status Code: ${error.$metadata?.httpStatusCode ?? 0}; Error Code: ${error.name}; Request ID: ${error.$metadata?.requestId ?? randomUUID()}; Proxy: null)`;

/** The SDK output without `$metadata` and `undefined` members, as JSON. */
const plainOutput = (output: object): unknown => {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
};

// Errors Step Functions reports under their own names; others are `AmazonDynamoDBException`.
const DYNAMODB_NAMED_ERRORS = new Set([
  'ConditionalCheckFailedException',
  'ResourceNotFoundException',
  'ProvisionedThroughputExceededException',
  'ItemCollectionSizeLimitExceededException',
  'TransactionConflictException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ThrottlingException',
]);

const dynamoDbFailure = (raw: unknown): TaskFailure => {
  const error = raw as SdkError;
  if (!error.$metadata?.httpStatusCode) {
    return new TaskFailure('DynamoDB.SdkClientException', String(error.message ?? raw));
  }
  const name =
    error.name && DYNAMODB_NAMED_ERRORS.has(error.name)
      ? `DynamoDB.${error.name}`
      : 'DynamoDB.AmazonDynamoDBException';
  return new TaskFailure(name, serviceCause('AmazonDynamoDBv2', error));
};

const dynamoDb = (action: string, deps: IntegrationDeps): Integration => ({
  resourceType: 'dynamodb',
  resource: action,
  lambdaFunction: false,
  callback: false,
  async call(payload) {
    // The optimised integration passes Parameters through as the DynamoDB API input.
    const send = () => {
      switch (action) {
        case 'getItem':
          return deps.dynamodb.send(new GetItemCommand(payload as GetItemCommandInput));
        case 'putItem':
          return deps.dynamodb.send(new PutItemCommand(payload as PutItemCommandInput));
        case 'updateItem':
          return deps.dynamodb.send(new UpdateItemCommand(payload as UpdateItemCommandInput));
        default:
          return deps.dynamodb.send(new DeleteItemCommand(payload as DeleteItemCommandInput));
      }
    };
    try {
      return plainOutput(await send());
    } catch (error) {
      throw dynamoDbFailure(error);
    }
  },
});

const putEvents = (callback: boolean, deps: IntegrationDeps): Integration => ({
  resourceType: 'events',
  resource: callback ? 'putEvents.waitForTaskToken' : 'putEvents',
  lambdaFunction: false,
  callback,
  async call(payload, runtime) {
    const entries = isJsonObject(payload) && Array.isArray(payload.Entries) ? payload.Entries : [];
    // As on AWS: an object Detail is serialised, and the state machine's and the execution's
    // ARNs are appended to each entry's Resources.
    const normalised = entries.map(
      (entry: Record<string, unknown>): PutEventsRequestEntry => ({
        ...entry,
        Detail: isJsonObject(entry.Detail)
          ? JSON.stringify(entry.Detail)
          : (entry.Detail as string),
        Resources: [
          ...(Array.isArray(entry.Resources) ? entry.Resources.map(String) : []),
          runtime.stateMachineArn,
          runtime.executionArn,
        ],
      }),
    );
    let output: { FailedEntryCount?: number };
    try {
      output = plainOutput(
        await deps.events.send(new PutEventsCommand({ Entries: normalised })),
      ) as typeof output;
    } catch (raw) {
      const error = raw as SdkError;
      throw new TaskFailure(
        error.$metadata?.httpStatusCode
          ? `EventBridge.${error.name}`
          : 'EventBridge.SdkClientException',
        serviceCause('EventBridge', error),
      );
    }
    if (output.FailedEntryCount) {
      throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(output));
    }
    return output;
  },
});

/** A function error: the `errorType` it threw, the whole error payload as the cause. */
const functionFailure = (payload: unknown): TaskFailure =>
  new TaskFailure(
    isJsonObject(payload) && typeof payload.errorType === 'string'
      ? payload.errorType
      : 'Lambda.Unknown',
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  );

/** The Lambda service failed the invocation (unknown function, service down …). */
const lambdaServiceFailure = (raw: unknown): TaskFailure => {
  const error = raw as SdkError;
  const message = String(error.message ?? raw);
  const code =
    error.name && error.name !== 'Error'
      ? error.name
      : /no local service runs the function/.test(message)
        ? 'ResourceNotFoundException'
        : 'ServiceException';
  return new TaskFailure(`Lambda.${code}`, message);
};

const invokeFunction = async (deps: IntegrationDeps, functionName: string, payload: unknown) => {
  let result: Awaited<ReturnType<InvokeLambda>>;
  try {
    result = await deps.invokeLambda(functionName, payload);
  } catch (error) {
    throw lambdaServiceFailure(error);
  }
  if (result.functionError) throw functionFailure(result.payload);
  return result.payload;
};

const lambdaInvoke = (callback: boolean, deps: IntegrationDeps): Integration => ({
  resourceType: 'lambda',
  resource: callback ? 'invoke.waitForTaskToken' : 'invoke',
  lambdaFunction: false,
  callback,
  async call(payload) {
    const input = isJsonObject(payload) ? payload : {};
    if (typeof input.FunctionName !== 'string' || input.FunctionName === '') {
      throw new TaskFailure(
        'Lambda.InvalidParameterValueException',
        'The Parameters of a lambda:invoke task need a FunctionName',
      );
    }
    const functionName = input.FunctionName;
    const requestId = randomUUID();
    if (input.InvocationType === 'Event') {
      // Asynchronous on AWS; locally invoked RequestResponse (TOOLCHAIN.md) without waiting.
      invokeFunction(deps, functionName, input.Payload ?? {}).catch((error: Error) =>
        deps.log(`[sfn] async invoke of ${functionName} failed: ${error.name} ${error.message}`),
      );
      return { Payload: '', StatusCode: 202, SdkResponseMetadata: { RequestId: requestId } };
    }
    const result = await invokeFunction(deps, functionName, input.Payload ?? {});
    return {
      ExecutedVersion: '$LATEST',
      Payload: result,
      SdkHttpMetadata: {
        HttpHeaders: {
          'Content-Type': 'application/json',
          'X-Amz-Executed-Version': '$LATEST',
          'x-amzn-RequestId': requestId,
        },
        HttpStatusCode: 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
      StatusCode: 200,
    };
  },
});

const lambdaFunction = (arn: string, deps: IntegrationDeps): Integration => ({
  resourceType: 'lambda',
  resource: arn,
  lambdaFunction: true,
  callback: false,
  call: (payload) => invokeFunction(deps, arn, payload),
});

const sfnCallback = (action: string, deps: IntegrationDeps): Integration => ({
  resourceType: 'aws-sdk:sfn',
  resource: action,
  lambdaFunction: false,
  callback: false,
  async call(payload) {
    const input = isJsonObject(payload) ? payload : {};
    try {
      if (action === 'sendTaskSuccess') {
        const output =
          typeof input.Output === 'string' ? input.Output : JSON.stringify(input.Output);
        deps.tokens.sendTaskSuccess(input.TaskToken, output);
      } else if (action === 'sendTaskFailure') {
        deps.tokens.sendTaskFailure(input.TaskToken, input.Error, input.Cause);
      } else {
        deps.tokens.sendTaskHeartbeat(input.TaskToken);
      }
    } catch (error) {
      if (!(error instanceof SfnApiError)) throw error;
      // AWS SDK integrations name errors `<Service>.<exception class>`.
      const exception = error.type.endsWith('Exception') ? error.type : `${error.type}Exception`;
      throw new TaskFailure(
        `Sfn.${exception}`,
        serviceCause('Sfn', {
          name: error.type,
          message: error.message,
          $metadata: { httpStatusCode: 400 },
        }),
      );
    }
    return {};
  },
});

/** The local implementation of a Task state's `Resource`, or undefined when there is none. */
export const integrationFor = (
  resource: string,
  deps: IntegrationDeps,
): Integration | undefined => {
  let match = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (match?.[1]) return dynamoDb(match[1], deps);
  match = /^arn:aws:states:::events:putEvents(\.waitForTaskToken)?$/.exec(resource);
  if (match) return putEvents(Boolean(match[1]), deps);
  match = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.exec(resource);
  if (match) return lambdaInvoke(Boolean(match[1]), deps);
  match = /^arn:aws:states:::aws-sdk:sfn:(sendTaskSuccess|sendTaskFailure|sendTaskHeartbeat)$/.exec(
    resource,
  );
  if (match?.[1]) return sfnCallback(match[1], deps);
  if (/^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return lambdaFunction(resource, deps);
  }
  return undefined;
};
