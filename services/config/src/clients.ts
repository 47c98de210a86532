import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

// Created once per Lambda container. Endpoints come from the standard AWS configuration
// (locally `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_EVENTBRIDGE`), never from code.
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = new EventBridgeClient({});
