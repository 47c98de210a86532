import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { isJsonObject } from './definition';
import { TaskFailure } from './errors';
import type { Integration, IntegrationDeps, SdkError } from './integration-model';
import { plainOutput, serviceCause } from './integration-model';

/** `arn:aws:states:::events:putEvents[.waitForTaskToken]` against the local EventBridge. */

export const putEventsIntegration = (callback: boolean, deps: IntegrationDeps): Integration => ({
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
