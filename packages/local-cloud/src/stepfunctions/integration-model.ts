import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { InvokeLambda } from '../lambda';
import type { TaskTokens } from './tokens';

/** What every service integration is and uses: its shape, its clients, AWS's error causes. */

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

export interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** `<message> (Service: …; Status Code: …; Error Code: …; Request ID: …)`, the cause AWS reports. */
export const serviceCause = (service: string, error: SdkError) =>
  `${error.message ?? ''} (Service: ${service}; Status Code: ${error.$metadata?.httpStatusCode ?? 0}; Error Code: ${error.name}; Request ID: ${error.$metadata?.requestId ?? randomUUID()}; Proxy: null)`;

/** The SDK output without `$metadata` and `undefined` members, as JSON. */
export const plainOutput = (output: object): unknown => {
  const { $metadata: _metadata, ...rest } = output as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
};
