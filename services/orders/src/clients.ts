import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Created once per Lambda container. Endpoints come from the standard AWS configuration
// (locally `AWS_ENDPOINT_URL_*`), never from code.
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = new EventBridgeClient({});
// The SDK sends StartSyncExecution to a `sync-` host; a local endpoint has no such host.
export const sfn = new SFNClient(
  process.env.AWS_ENDPOINT_URL_SFN ? { disableHostPrefix: true } : {},
);
