import type { Order, OrderReason, OrderStatus } from '@espresso/schemas';

export type Tone = 'waiting' | 'active' | 'done' | 'ended';

export interface StatusView {
  /** A few words: the headline of the customer's status panel. */
  label: string;
  /** One sentence saying what happens next. */
  detail: string;
  tone: Tone;
}

const SHORT: Record<OrderStatus, string> = {
  AWAITING_SELECTION: 'Choosing',
  QUEUED: 'Queued',
  IN_PROGRESS: 'Being made',
  COMPLETED: 'Ready',
  CANCELLED: 'Cancelled',
  TIMED_OUT: 'Timed out',
  REJECTED: 'Not accepted',
};

/** A status in one or two words (history lists, badges). */
export const statusLabel = (status: OrderStatus): string => SHORT[status];

const REASONS: Record<OrderReason, string> = {
  CLOSED: 'The shop is closed, so the order was not accepted.',
  AT_CAPACITY: 'The baristas are at capacity right now. Try again in a few minutes.',
  CUSTOMER_TIMEOUT: 'Time ran out before a drink was chosen. Scan the code again to start over.',
  BARISTA_TIMEOUT: 'Our baristas could not get to your drink in time. Sorry! Please order again.',
  CANCELLED_BY_CUSTOMER: 'You cancelled this order.',
  CANCELLED_BY_BARISTA: 'A barista cancelled this order. Please ask at the counter.',
};

/** Why an order ended, in the customer's words. */
export const reasonText = (reason: OrderReason | undefined): string | undefined =>
  reason ? REASONS[reason] : undefined;

type EndedStatus = 'CANCELLED' | 'TIMED_OUT' | 'REJECTED';

/** What an ended order's panel says when the order names no reason. */
const ENDED_WITHOUT_REASON: Record<EndedStatus, string> = {
  CANCELLED: 'This order was cancelled.',
  TIMED_OUT: 'This order timed out.',
  REJECTED: 'The shop could not take this order.',
};

/** An ended order: its status in a few words and why it ended (the reason, else in general). */
const endedView = (status: EndedStatus, reason: OrderReason | undefined): StatusView => ({
  label: SHORT[status],
  detail: reasonText(reason) ?? ENDED_WITHOUT_REASON[status],
  tone: 'ended',
});

/** What the customer's screen says about an order. */
export const customerStatus = (
  order: Pick<Order, 'status' | 'orderNumber' | 'reason'> & Partial<Pick<Order, 'drinkId'>>,
): StatusView => {
  const number = order.orderNumber === undefined ? '' : ` #${order.orderNumber}`;
  switch (order.status) {
    case 'AWAITING_SELECTION':
      // The API keeps a choice made before the shop's workflow waited for it (answer 202).
      if (order.drinkId !== undefined) {
        return {
          label: 'Choice received',
          detail: 'The shop is taking your order; it joins the queue in a moment.',
          tone: 'waiting',
        };
      }
      return {
        label: 'Choose your drink',
        detail: 'Pick a drink before the time runs out.',
        tone: 'waiting',
      };
    case 'QUEUED':
      return {
        label: `Queued${number}`,
        detail:
          order.orderNumber === undefined
            ? 'Your order is in; your number is on its way.'
            : 'Look out for your number on the big screen.',
        tone: 'waiting',
      };
    case 'IN_PROGRESS':
      return {
        label: `Being made${number}`,
        detail: 'A barista is making your drink.',
        tone: 'active',
      };
    case 'COMPLETED':
      return {
        label: `Ready${number}`,
        detail: 'Your drink is ready for collection. Enjoy!',
        tone: 'done',
      };
    case 'CANCELLED':
    case 'TIMED_OUT':
    case 'REJECTED':
      return endedView(order.status, order.reason);
  }
};

/** The customer may cancel until a barista claims the order. */
export const customerMayCancel = (status: OrderStatus): boolean =>
  status === 'AWAITING_SELECTION' || status === 'QUEUED';
