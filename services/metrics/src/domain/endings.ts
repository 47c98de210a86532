import {
  type BusEvent,
  type ModifierChoice,
  type OrderOutcome,
  parseBusEvent,
} from '@espresso/schemas';

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

export const CONSUMED_DETAIL_TYPES = [
  'OrderManager.OrderCompleted',
  'OrderManager.OrderCancelled',
  'OrderProcessor.OrderTimedOut',
  'OrderProcessor.ShopUnavailable',
] as const;

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

/** The ending an event from the bus reports; throws `NotAnEnding` for any other event. */
export const endingOf = (event: BusEvent): Ending => {
  switch (event.detailType) {
    case 'OrderManager.OrderCompleted': {
      const d = event.detail;
      return {
        ...base(d),
        outcome: 'COMPLETED',
        drinkId: d.drinkId,
        modifiers: d.modifiers,
        baristaId: d.baristaId,
        waitMs: msBetween(d.submittedAt, d.claimedAt),
        makeMs: msBetween(d.claimedAt, d.at),
      };
    }
    case 'OrderManager.OrderCancelled':
      return { ...base(event.detail), outcome: 'CANCELLED' };
    case 'OrderProcessor.OrderTimedOut':
      return { ...base(event.detail), outcome: 'TIMED_OUT' };
    case 'OrderProcessor.ShopUnavailable':
      return { ...base(event.detail), outcome: 'REJECTED' };
    default:
      throw new NotAnEnding(event.detailType);
  }
};

/**
 * The ending in an SQS message body (the whole EventBridge event, as the rule delivers it).
 * Throws on anything else: not JSON, an unknown or unconsumed detail-type, a detail that fails
 * its schema — a poison message, retried and then dead-lettered.
 */
export const parseEnding = (body: string): Ending => endingOf(parseBusEvent(JSON.parse(body)));
