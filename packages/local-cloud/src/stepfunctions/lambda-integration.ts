import { randomUUID } from 'node:crypto';
import type { InvokeLambda } from '../lambda';
import { isJsonObject } from './definition';
import { TaskFailure } from './errors';
import type { Integration, IntegrationDeps, SdkError } from './integration-model';

/** `arn:aws:states:::lambda:invoke[.waitForTaskToken]` and plain Lambda ARNs, by `invokeLambda`. */

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

export const lambdaInvokeIntegration = (callback: boolean, deps: IntegrationDeps): Integration => ({
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

export const lambdaFunctionIntegration = (arn: string, deps: IntegrationDeps): Integration => ({
  resourceType: 'lambda',
  resource: arn,
  lambdaFunction: true,
  callback: false,
  call: (payload) => invokeFunction(deps, arn, payload),
});
