import { logger } from '@espresso/runtime';
import {
  allowedPreviousStatuses,
  isTerminalStatus,
  type OrderItem,
  type OrderReason,
  type OrderStatus,
} from '@espresso/schemas';
import { selectionChange } from '../domain/transitions';
import type { Ports } from './ports';

type Outcome = 'SELECTED' | 'COMPLETED' | 'CANCELLED';

/** How the OrderProcessor's admission of its order went; its Choice branches on it. */
export type AdmissionOutcome = 'ADMITTED' | 'DUPLICATE' | 'CLOSED' | 'AT_CAPACITY';

export interface AdmissionResult {
  outcome: AdmissionOutcome;
  /** The shop's waits (the workflow's task timeouts); null only for a shop that does not exist. */
  timeouts: { customerSeconds: number; baristaSeconds: number } | null;
}

/**
 * OrderProcessor's first step: this execution takes the order (a repeated Validator.NewOrder —
 * the stream and the bus deliver at least once — starts an execution that ends here as
 * DUPLICATE, touching nothing), then the shop must be open (CLOSED) and have a free open-order
 * slot (AT_CAPACITY). The slot is recorded on the order in the same transaction as the
 * counter's increment, so a retried admission takes no second one.
 */
export const admitOrder = async (
  ports: Pick<Ports, 'shops' | 'orders' | 'tables'>,
  input: { shopId: string; orderId: string; executionArn: string },
): Promise<AdmissionResult> => {
  const { shopId, orderId, executionArn } = input;
  const shop = await ports.shops.get(shopId);
  const timeouts = shop
    ? {
        customerSeconds: shop.timeouts.customerSeconds,
        baristaSeconds: shop.timeouts.baristaSeconds,
      }
    : null;
  if (!shop?.open) {
    const claimed = await ports.orders.claim({ shopId, orderId, executionArn });
    return { outcome: claimed ? 'CLOSED' : 'DUPLICATE', timeouts };
  }
  const outcome = await ports.orders.admit({
    shopId,
    orderId,
    executionArn,
    slots: { table: ports.tables.counters, max: shop.limits.maxOpenOrders },
  });
  if (outcome === 'DUPLICATE') {
    logger.info('another execution carries this order; this one ends', { executionArn });
  }
  return { outcome, timeouts };
};

/** A phase's wait for the customer or a barista: its task token and how long it waits. */
export interface PhaseWait {
  taskToken: string;
  shopId: string;
  orderId: string;
  timeoutSeconds: number;
}

/**
 * OrderProcessor, customer phase: keep the task token on the order while it awaits the
 * customer, and tell the screens. If the order already moved on (cancelled before the token
 * was kept), resume the workflow at once with that outcome; if the customer's choice was kept
 * on the order before the workflow waited, apply it now (which resumes the wait).
 */
export const awaitCustomer = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'workflows' | 'now'>,
  input: PhaseWait & { executionArn?: string | undefined },
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
  if (item.status === 'AWAITING_SELECTION' && item.drinkId !== undefined) {
    await applyKeptChoice(ports, item, now);
  }
};

/**
 * The customer chose before the workflow waited (the API kept the choice on the order): it is
 * applied now through the OrderManager, as if sent at this moment (its `submittedAt`, the
 * queue's order) — conditional on the order still awaiting selection, so it is applied once;
 * the OrderManager resumes this wait with the token just kept. A conflict means the order moved
 * meanwhile (a newer choice through the API, a cancellation): whoever moved it resumed the wait.
 */
const applyKeptChoice = async (ports: Pick<Ports, 'workflows'>, item: OrderItem, now: string) => {
  const drinkId = item.drinkId as string;
  const change = selectionChange(item, { drinkId, modifiers: item.modifiers ?? {} }, now);
  const result = await ports.workflows.applyChange(item, change, now);
  if (!result.ok) logger.info('the order moved before its kept choice was applied');
};

const BARISTA_PHASE: OrderStatus[] = ['QUEUED', 'IN_PROGRESS'];

/**
 * OrderProcessor, barista phase: give the order the shop's next number (once: an order that
 * has one keeps it, so a retried step takes none), keep the token, tell the screens. An order
 * that already ended (cancelled or completed before this phase began) resumes the workflow at
 * once with its outcome and gets no number.
 */
export const awaitBarista = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'workflows' | 'tables' | 'now'>,
  input: PhaseWait,
): Promise<void> => {
  const now = ports.now().toISOString();
  const { shopId, orderId, taskToken } = input;
  let current = await ports.orders.get(shopId, orderId);
  if (!current) throw new Error(`order ${orderId} not found`);
  if (!BARISTA_PHASE.includes(current.status)) {
    return resumeFor(ports, current.status, taskToken);
  }
  let orderNumber =
    current.orderNumber ??
    (await ports.orders.nextNumber({ shopId, table: ports.tables.counters }));
  // A second try only if a concurrent attempt of this step numbered the order in between.
  for (let attempt = 1; ; attempt++) {
    const { item, changed } = await ports.orders.keepToken({
      shopId,
      orderId,
      attribute: 'baristaTaskToken',
      token: taskToken,
      from: BARISTA_PHASE,
      set: { orderNumber },
      now,
    });
    if (!item) throw new Error(`order ${orderId} not found`);
    current = item;
    if (changed) break;
    if (!BARISTA_PHASE.includes(item.status)) return resumeFor(ports, item.status, taskToken);
    if (attempt >= 2 || item.orderNumber === undefined || item.orderNumber === orderNumber) {
      throw new Error(`order ${orderId} changed while its token was kept; the step is retried`);
    }
    orderNumber = item.orderNumber;
  }
  await ports.bus.emit('OrderProcessor.WaitingCompletion', {
    version: 1,
    shopId: current.shopId,
    orderId: current.orderId,
    customerId: current.customerId,
    at: now,
    orderNumber,
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
 * transition table, so a repeated step changes nothing), give back the open-order slot the
 * order holds in the same transaction (an order the OrderManager ended only gives back its
 * slot), and emit the ending's event.
 */
export const endOrder = async (
  ports: Pick<Ports, 'orders' | 'bus' | 'tables' | 'workflows' | 'now'>,
  input: { shopId: string; orderId: string; ending: Ending; executionArn?: string | undefined },
): Promise<{ status: OrderStatus }> => {
  const now = ports.now().toISOString();
  const { shopId, orderId, ending, executionArn } = input;
  const slot = { table: ports.tables.counters };
  /** Another execution carries the order (this one could not even admit it): not ours to end. */
  const foreign = (item: OrderItem) => {
    if (!executionArn || item.executionArn === undefined || item.executionArn === executionArn) {
      return false;
    }
    logger.warn('another execution carries this order; no ending, no event', { ending });
    return true;
  };
  if (ending === 'COMPLETED' || ending === 'CANCELLED') {
    const { item } = await ports.orders.end({ shopId, orderId, slot, executionArn });
    if (!item) throw new Error(`order ${orderId} not found`);
    if (foreign(item)) return { status: item.status };
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
  // The customer timeout ends only an order still awaiting a choice, and not one whose choice is
  // kept on it: a choice the API accepted is never lost to the timer (the order goes on to the
  // barista phase instead). Every other ending: each status the table lets reach it.
  const customerTimeout = ending === 'CUSTOMER_TIMEOUT';
  const from: OrderStatus[] = customerTimeout
    ? ['AWAITING_SELECTION']
    : allowedPreviousStatuses(to);
  const { item, changed } = await ports.orders.end({
    shopId,
    orderId,
    status: {
      to,
      from,
      set: { reason, finishedAt: now, updatedAt: now },
      ...(customerTimeout ? { unlessChosen: true } : {}),
    },
    slot,
    executionArn,
  });
  if (!item) throw new Error(`order ${orderId} not found`);
  if (foreign(item)) return { status: item.status };
  if (customerTimeout && !changed && !isTerminalStatus(item.status)) {
    return { status: await goOnWithChoice(ports, item, now) };
  }
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

/**
 * The customer timeout found the customer's choice made: applied now if it is only kept on the
 * order (the OrderManager, conditional on the order still awaiting selection), then the order's
 * status, read again, tells the workflow where to go — QUEUED or IN_PROGRESS on to the barista
 * phase. An order that is neither (it ended meanwhile) makes the step fail, and its retry ends it
 * or gives back its slot.
 */
const goOnWithChoice = async (
  ports: Pick<Ports, 'orders' | 'workflows'>,
  item: OrderItem,
  now: string,
): Promise<OrderStatus> => {
  if (item.status === 'AWAITING_SELECTION' && item.drinkId !== undefined) {
    await applyKeptChoice(ports, item, now);
  }
  const latest = await ports.orders.get(item.shopId, item.orderId);
  if (latest?.status === 'QUEUED' || latest?.status === 'IN_PROGRESS') {
    logger.info('the customer chose in time: the order goes on to the barista', {
      status: latest.status,
    });
    return latest.status;
  }
  throw new Error(
    `order ${item.orderId} is ${latest?.status ?? 'gone'} after its customer timeout; the step is retried`,
  );
};
