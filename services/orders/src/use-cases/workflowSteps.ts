import { logger } from '@espresso/runtime';
import { allowedPreviousStatuses, type OrderReason, type OrderStatus } from '@espresso/schemas';
import type { Ports } from '../adapters';

type Outcome = 'SELECTED' | 'COMPLETED' | 'CANCELLED';

/**
 * OrderProcessor, customer phase: keep the task token on the order while it awaits the
 * customer, and tell the screens. If the order already moved on (the customer chose or
 * cancelled before the token was kept), resume the workflow at once with that outcome.
 */
export const awaitCustomer = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'workflows' | 'now'>,
  input: {
    taskToken: string;
    shopId: string;
    orderId: string;
    timeoutSeconds: number;
    executionArn?: string | undefined;
  },
): Promise<void> => {
  const now = ports.now().toISOString();
  const { item, changed } = await ports.orders.keepToken({
    shopId: input.shopId,
    orderId: input.orderId,
    attribute: 'customerTaskToken',
    token: input.taskToken,
    from: ['AWAITING_SELECTION'],
    ...(input.executionArn ? { set: { executionArn: input.executionArn } } : {}),
    now,
  });
  if (!item) throw new Error(`order ${input.orderId} not found`);
  if (!changed) return resumeFor(ports, item.status, input.taskToken);
  await ports.bus.emit('OrderProcessor.WorkflowStarted', {
    version: 1,
    shopId: item.shopId,
    orderId: item.orderId,
    customerId: item.customerId,
    at: now,
    timeoutSeconds: input.timeoutSeconds,
  });
};

/** OrderProcessor, barista phase: keep the token and the order number; tell the screens. */
export const awaitBarista = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'workflows' | 'now'>,
  input: {
    taskToken: string;
    shopId: string;
    orderId: string;
    orderNumber: number;
    timeoutSeconds: number;
  },
): Promise<void> => {
  const now = ports.now().toISOString();
  const { item, changed } = await ports.orders.keepToken({
    shopId: input.shopId,
    orderId: input.orderId,
    attribute: 'baristaTaskToken',
    token: input.taskToken,
    from: ['QUEUED', 'IN_PROGRESS'],
    set: { orderNumber: input.orderNumber },
    now,
  });
  if (!item) throw new Error(`order ${input.orderId} not found`);
  if (!changed) return resumeFor(ports, item.status, input.taskToken);
  await ports.bus.emit('OrderProcessor.WaitingCompletion', {
    version: 1,
    shopId: item.shopId,
    orderId: item.orderId,
    customerId: item.customerId,
    at: now,
    orderNumber: input.orderNumber,
    timeoutSeconds: input.timeoutSeconds,
  });
};

const resumeFor = async (ports: Pick<Ports, 'workflows'>, status: OrderStatus, token: string) => {
  const outcome: Outcome | undefined =
    status === 'CANCELLED'
      ? 'CANCELLED'
      : status === 'COMPLETED'
        ? 'COMPLETED'
        : status === 'QUEUED' || status === 'IN_PROGRESS'
          ? 'SELECTED'
          : undefined;
  if (!outcome) throw new Error(`order is ${status}: nothing to wait for`);
  logger.info('order moved before its token was kept; resuming at once', { status, outcome });
  await ports.workflows.resume(token, { outcome });
};

export type Ending =
  | 'CLOSED'
  | 'AT_CAPACITY'
  | 'CUSTOMER_TIMEOUT'
  | 'BARISTA_TIMEOUT'
  | 'COMPLETED'
  | 'CANCELLED';

const ENDINGS: Record<
  Exclude<Ending, 'COMPLETED' | 'CANCELLED'>,
  { to: OrderStatus; reason: OrderReason }
> = {
  CLOSED: { to: 'REJECTED', reason: 'CLOSED' },
  AT_CAPACITY: { to: 'REJECTED', reason: 'AT_CAPACITY' },
  CUSTOMER_TIMEOUT: { to: 'TIMED_OUT', reason: 'CUSTOMER_TIMEOUT' },
  BARISTA_TIMEOUT: { to: 'TIMED_OUT', reason: 'BARISTA_TIMEOUT' },
};

/**
 * OrderProcessor's last step: record a rejection or a timeout on the order (conditional on the
 * transition table, so a repeated step changes nothing) and emit the ending's event.
 */
export const endOrder = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'now'>,
  input: { shopId: string; orderId: string; ending: Ending; executionArn?: string | undefined },
): Promise<{ status: OrderStatus }> => {
  const now = ports.now().toISOString();
  const { shopId, orderId, ending } = input;
  if (ending === 'COMPLETED' || ending === 'CANCELLED') {
    const item = await ports.orders.get(shopId, orderId);
    if (!item) throw new Error(`order ${orderId} not found`);
    await ports.bus.emit('OrderProcessor.OrderFinished', {
      version: 1,
      shopId,
      orderId,
      customerId: item.customerId,
      at: now,
      outcome: ending,
      ...(item.orderNumber === undefined ? {} : { orderNumber: item.orderNumber }),
    });
    return { status: item.status };
  }
  const { to, reason } = ENDINGS[ending];
  // Every status the table lets reach the ending: if the customer's choice raced the timeout,
  // the workflow's outcome is the truth and the order follows it.
  const from = allowedPreviousStatuses(to);
  const { item } = await ports.orders.end({
    shopId,
    orderId,
    to,
    from,
    set: {
      reason,
      finishedAt: now,
      updatedAt: now,
      ...(input.executionArn ? { executionArn: input.executionArn } : {}),
    },
  });
  if (!item) throw new Error(`order ${orderId} not found`);
  // Only an order that did end this way gets the event (a retried step sends it again, which
  // consumers tolerate); one that ended otherwise first (cancelled as it timed out) keeps its own.
  if (item.status !== to) {
    logger.warn('the order ended otherwise before this ending; no event', {
      status: item.status,
      ending,
    });
    return { status: item.status };
  }
  const base = { version: 1, shopId, orderId, customerId: item.customerId, at: now };
  if (to === 'REJECTED') {
    await ports.bus.emit('OrderProcessor.ShopUnavailable', { ...base, reason });
  } else {
    await ports.bus.emit('OrderProcessor.OrderTimedOut', {
      ...base,
      stage: ending === 'CUSTOMER_TIMEOUT' ? 'CUSTOMER' : 'BARISTA',
      ...(item.orderNumber === undefined ? {} : { orderNumber: item.orderNumber }),
      ...(item.drinkId === undefined ? {} : { drinkId: item.drinkId }),
      ...(item.baristaId === undefined ? {} : { baristaId: item.baristaId }),
    });
  }
  return { status: item.status };
};
