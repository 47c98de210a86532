import type { OrderStatus } from '@espresso/schemas';
import { isTerminal } from './ledger';
import type { Run } from './run';
import type { Push } from './socket';

/** The status a push about an order means (staff view). */
const PUSH_STATUS: Record<string, OrderStatus> = {
  'OrderManager.OrderPlaced': 'QUEUED',
  'OrderManager.OrderClaimed': 'IN_PROGRESS',
  'OrderManager.OrderUnclaimed': 'QUEUED',
  'OrderManager.OrderCompleted': 'COMPLETED',
  'OrderManager.OrderCancelled': 'CANCELLED',
  'OrderProcessor.OrderTimedOut': 'TIMED_OUT',
};

/**
 * What a barista screen's push tells the run: OrderPlaced times the order and frees its
 * customer; a queued order goes on the board (and wakes the baristas), any other status takes
 * it off; an ending status ends it.
 */
export const receivePush = (run: Run, push: Push): void => {
  run.pushesReceived += 1;
  run.options.onPush?.(push);
  const orderId = push.detail.orderId;
  if (typeof orderId !== 'string') return;
  const order = run.ledger.byId(orderId);
  if (!order) return; // another client's order in the same shop
  if (push.type === 'OrderManager.OrderPlaced') {
    order.t.pushed ??= push.receivedAt;
    order.t.placedAt ??= Date.parse(push.at);
    run.taken.get(orderId)?.();
  }
  const status = PUSH_STATUS[push.type];
  if (!status) return;
  if (status === 'QUEUED' && !order.action) {
    run.board.show(orderId, push.receivedAt);
    run.board.nudge();
  } else if (status !== 'QUEUED') {
    run.board.remove(orderId);
  }
  if (isTerminal(status)) run.ledger.setStatus(order, status, push.receivedAt);
};
