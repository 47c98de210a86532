import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countWrites } from './adapters/writeCounter';

// Created once per Lambda container. Endpoints come from the standard AWS configuration
// (locally `AWS_ENDPOINT_URL_*`), never from code.
const dynamoClient = new DynamoDBClient({});
/** Every write request this container sends to DynamoDB (the write budget, measured). */
export const dynamoWrites = countWrites(dynamoClient);
export const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});
