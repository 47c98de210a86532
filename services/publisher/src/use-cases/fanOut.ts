import { retry } from '@espresso/retry';
import type { BusEvent } from '@espresso/schemas';
import type { Listener } from '../adapters/connections';
import { type Audience, deliveryFor } from '../domain/audience';
import type { View } from '../domain/connection';
import type { Ports } from './ports';

/** Backoff before each retry of a failed post (not of a 410: that connection is gone). */
export const RETRY_DELAYS_MS = [50, 200, 800] as const;

/**
 * A connection recorded by `$connect` is not open until `$connect` returns: a post in between
 * answers 410 as for a closed one. Younger connections are not removed on a 410.
 */
export const CONNECT_GRACE_MS = 10_000;

/** Which audience's message a connection watching a shop gets, by its view. */
const SHOP_AUDIENCE: Record<View, Audience> = {
  staff: 'staff',
  display: 'display',
  customer: 'public',
};

export interface FanOutResult {
  /** Posts that reached their connection. */
  sent: number;
  /** Connections API Gateway no longer knew: removed from the table (unless just connecting). */
  gone: number;
  /** Posts that still failed after every retry (logged; the event is not retried). */
  failed: number;
}

export interface FanOutLog {
  warn(message: string, extra: Record<string, unknown>): void;
}

/**
 * Pushes one event to every connection allowed to see it, each getting its audience's message:
 * the staff and displays (and customers' public view) watching the event's shop, and the owning
 * customer's own screens. Connections are found through the table's indexes and posted to in
 * parallel. A gone connection is deleted; another failure is retried with backoff and then
 * given up, logged, without failing the event, so other screens never get a message twice.
 */
export const fanOut = async (
  ports: Ports,
  event: BusEvent,
  log: FanOutLog,
): Promise<FanOutResult> => {
  const delivery = deliveryFor(event);
  const { messages } = delivery;
  const nowSeconds = Math.floor(ports.now().getTime() / 1000);
  const forShop = messages.staff || messages.display || messages.public;
  const [watching, owned] = await Promise.all([
    forShop ? ports.connections.watching(delivery.shopId, nowSeconds) : [],
    messages.owner && delivery.ownerId
      ? ports.connections.ownedBy(delivery.ownerId, nowSeconds)
      : ([] as Listener[]),
  ]);

  const payloads = new Map<Audience, string>();
  const payload = (audience: Audience) => {
    let text = payloads.get(audience);
    if (text === undefined) {
      text = JSON.stringify(messages[audience]);
      payloads.set(audience, text);
    }
    return text;
  };
  const posts: { connectionId: string; data: string }[] = [];
  for (const listener of watching) {
    const audience = SHOP_AUDIENCE[listener.view];
    if (messages[audience])
      posts.push({ connectionId: listener.connectionId, data: payload(audience) });
  }
  for (const listener of owned) {
    posts.push({ connectionId: listener.connectionId, data: payload('owner') });
  }

  const result: FanOutResult = { sent: 0, gone: 0, failed: 0 };
  const postWithRetries = (connectionId: string, data: string) =>
    retry(() => ports.screens.post(connectionId, data), {
      attempts: RETRY_DELAYS_MS.length + 1,
      pauseMs: (attempt) => RETRY_DELAYS_MS[attempt - 1] ?? 0,
      sleep: ports.sleep,
    }).catch((error: Error) => {
      log.warn('post to connection failed after retries', {
        connectionId,
        type: event.detailType,
        error: error.message,
      });
      return 'failed' as const;
    });
  await Promise.all(
    posts.map(async ({ connectionId, data }) => {
      const outcome = await postWithRetries(connectionId, data);
      result[outcome]++;
      if (outcome === 'gone') {
        const cutoff = new Date(ports.now().getTime() - CONNECT_GRACE_MS).toISOString();
        await ports.connections
          .removeGone(connectionId, cutoff)
          .catch((error: Error) =>
            log.warn('could not remove a gone connection', { connectionId, error: error.message }),
          );
      }
    }),
  );
  return result;
};
