import { isJsonObject } from './definition';
import { SfnApiError, TaskFailure } from './errors';
import { type Integration, type IntegrationDeps, serviceCause } from './integration-model';

/** `arn:aws:states:::aws-sdk:sfn:sendTaskSuccess/sendTaskFailure/sendTaskHeartbeat`, in process. */

export const sfnCallbackIntegration = (action: string, deps: IntegrationDeps): Integration => ({
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
