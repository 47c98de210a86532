import { dynamoDbIntegration } from './dynamodb-integration';
import { putEventsIntegration } from './events-integration';
import type { Integration, IntegrationDeps } from './integration-model';
import { lambdaFunctionIntegration, lambdaInvokeIntegration } from './lambda-integration';
import { sfnCallbackIntegration } from './sfn-integration';

export type { Integration, IntegrationDeps, TaskRuntime } from './integration-model';

/** The resources the local Step Functions runs (`integrationFor` names them in its error). */
export const SUPPORTED_RESOURCES = [
  'arn:aws:states:::dynamodb:getItem | putItem | updateItem | deleteItem',
  'arn:aws:states:::events:putEvents[.waitForTaskToken]',
  'arn:aws:states:::lambda:invoke[.waitForTaskToken]',
  'arn:aws:states:::aws-sdk:sfn:sendTaskSuccess | sendTaskFailure | sendTaskHeartbeat',
  'arn:aws:lambda:<region>:<account>:function:<name>',
];

/** The local implementation of a Task state's `Resource`, or undefined when there is none. */
export const integrationFor = (
  resource: string,
  deps: IntegrationDeps,
): Integration | undefined => {
  let match = /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.exec(resource);
  if (match?.[1]) return dynamoDbIntegration(match[1], deps);
  match = /^arn:aws:states:::events:putEvents(\.waitForTaskToken)?$/.exec(resource);
  if (match) return putEventsIntegration(Boolean(match[1]), deps);
  match = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/.exec(resource);
  if (match) return lambdaInvokeIntegration(Boolean(match[1]), deps);
  match = /^arn:aws:states:::aws-sdk:sfn:(sendTaskSuccess|sendTaskFailure|sendTaskHeartbeat)$/.exec(
    resource,
  );
  if (match?.[1]) return sfnCallbackIntegration(match[1], deps);
  if (/^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return lambdaFunctionIntegration(resource, deps);
  }
  return undefined;
};
