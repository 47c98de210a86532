import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { buildEventEntry, type DetailType } from '@espresso/schemas';

export interface Bus {
  /** Puts one event; the detail is built and checked through its schema first. */
  emit(detailType: DetailType, detail: Record<string, unknown>): Promise<void>;
}

export const buildBus = (client: EventBridgeClient, busName: string): Bus => ({
  async emit(detailType, detail) {
    const entry = buildEventEntry(detailType, detail as never, busName);
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    if ((result.FailedEntryCount ?? 0) > 0) {
      const failed = result.Entries?.find((e) => e.ErrorCode);
      throw new Error(
        `PutEvents rejected ${detailType}: ${failed?.ErrorCode} ${failed?.ErrorMessage}`,
      );
    }
  },
});
