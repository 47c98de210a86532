import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TaskFailure } from './errors';
import {
  type Integration,
  type IntegrationDeps,
  plainOutput,
  type SdkError,
  serviceCause,
} from './integration-model';

/** `arn:aws:states:::dynamodb:getItem/putItem/updateItem/deleteItem` against the local DynamoDB. */

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

export const dynamoDbIntegration = (action: string, deps: IntegrationDeps): Integration => ({
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
