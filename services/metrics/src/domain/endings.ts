import {
  type BusEvent,
  type DetailOf,
  type ModifierChoice,
  type OrderOutcome,
  parseBusEvent,
} from '@espresso/schemas';
import type { metricsContract } from '@espresso/schemas/contracts';

/**
 * One order's ending, as the metrics count it. The bus says how an order ended in several
 * events; the ones that carry the facts are consumed, each ending exactly once:
 * - `OrderManager.OrderCompleted` → COMPLETED, with the drink, modifiers, barista and times;
 * - `OrderManager.OrderCancelled` → CANCELLED;
 * - `OrderProcessor.OrderTimedOut` → TIMED_OUT;
 * - `OrderProcessor.ShopUnavailable` → REJECTED.
 * `OrderProcessor.OrderFinished` repeats completed/cancelled with fewer facts: not consumed.
 */
export interface Ending {
  /** Identifies the ending across redeliveries and producer retries (new event ids): the order. */
  key: string;
  shopId: string;
  /** When the order ended (the detail's `at`): its day and hour, UTC. */
  at: string;
  day: string;
  hour: string;
  outcome: OrderOutcome;
  drinkId?: string;
  modifiers?: ModifierChoice;
  baristaId?: string;
  /** Placed → claimed, and claimed → completed, in milliseconds (completed orders). */
  waitMs?: number;
  makeMs?: number;
}

/**
 * The detail-types the metrics consume: the one declaration is `consumes` in the service's
 * contract (packages/schemas/src/contracts/services/metrics.ts). The template test checks the
 * endings rule against it; `ENDING_READERS` below must name exactly these.
 */
export type ConsumedDetailType = keyof typeof metricsContract.consumes;

export class NotAnEnding extends Error {
  constructor(detailType: string) {
    super(`${detailType} is not an order ending the metrics count`);
    this.name = 'NotAnEnding';
  }
}

const msBetween = (from: string, to: string) => Math.max(0, Date.parse(to) - Date.parse(from));

const base = (detail: { shopId: string; orderId: string; at: string }) => ({
  key: detail.orderId,
  shopId: detail.shopId,
  at: detail.at,
  day: detail.at.slice(0, 10),
  hour: detail.at.slice(11, 13),
});

const completed = (d: DetailOf<'OrderManager.OrderCompleted'>): Ending => ({
  ...base(d),
  outcome: 'COMPLETED',
  drinkId: d.drinkId,
  modifiers: d.modifiers,
  baristaId: d.baristaId,
  waitMs: msBetween(d.submittedAt, d.claimedAt),
  makeMs: msBetween(d.claimedAt, d.at),
});

/** How each consumed detail-type reads as an ending: one entry per detail-type in `consumes`. */
export const ENDING_READERS: {
  readonly [T in ConsumedDetailType]: (detail: DetailOf<T>) => Ending;
} = {
  'OrderManager.OrderCompleted': completed,
  'OrderManager.OrderCancelled': (d) => ({ ...base(d), outcome: 'CANCELLED' }),
  'OrderProcessor.OrderTimedOut': (d) => ({ ...base(d), outcome: 'TIMED_OUT' }),
  'OrderProcessor.ShopUnavailable': (d) => ({ ...base(d), outcome: 'REJECTED' }),
};

const isConsumed = (type: string): type is ConsumedDetailType =>
  Object.hasOwn(ENDING_READERS, type);

/** The ending an event from the bus reports; throws `NotAnEnding` for any other event. */
export const endingOf = (event: BusEvent): Ending => {
  const type = event.detailType;
  if (!isConsumed(type)) throw new NotAnEnding(type);
  const read = ENDING_READERS[type] as (detail: BusEvent['detail']) => Ending;
  return read(event.detail);
};

/**
 * The ending in an SQS message body (the whole EventBridge event, as the rule delivers it).
 * Throws on anything else: not JSON, an unknown or unconsumed detail-type, a detail that fails
 * its schema — a poison message, retried and then dead-lettered.
 */
export const parseEnding = (body: string): Ending => endingOf(parseBusEvent(JSON.parse(body)));
