import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { buildEventEntry, type DetailOf } from '@espresso/schemas';

export interface ConfigBus {
  configChanged(detail: DetailOf<'ConfigService.ConfigChanged'>): Promise<void>;
}

/** Emits this service's events, each detail built through its schema. */
export const buildBus = (client: EventBridgeClient, busName: string): ConfigBus => ({
  async configChanged(detail) {
    const entry = buildEventEntry('ConfigService.ConfigChanged', detail, busName);
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failed = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `PutEvents rejected ConfigChanged: ${failed?.ErrorCode} ${failed?.ErrorMessage}`,
      );
    }
  },
});
