import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorBodySchema, type Menu, NewOrderResponseSchema, OrderSchema } from '@espresso/schemas';
import type { QrDisplay } from './display';
import { hasEnded, isTerminal } from './ledger';
import type { Intent, SimOrder } from './model';
import { TryAgain, withAttempts } from './retry';
import { between, type Run } from './run';
import { chooseDrink } from './shop';

/** A customer waiting for a kept choice to be taken reads the order this often (ms). */
const TAKEN_POLL_MS = 5000;
/** How often a customer redeems again when the code it scanned was used up meanwhile. */
const REDEEM_ATTEMPTS = 5;

/** What a customer needs besides the run: the shop's menu and the display's code. */
export interface Counter {
  menu: Menu;
  display: QrDisplay;
}

/**
 * One customer of the closed loop: while the run places orders, takes the next order of the
 * plan, scans the display's code, thinks, chooses a drink (or walks away) and waits until the
 * order is taken before placing the next one.
 */
export const customerInLine = async (run: Run, counter: Counter): Promise<void> => {
  for (let index = nextOrder(run); index !== undefined; index = nextOrder(run)) {
    await placeOrder(run, counter, index);
  }
};

/** The index of the run's next order, or undefined once the run places no more. */
const nextOrder = (run: Run): number | undefined => {
  const { orders, durationMs } = run.options;
  if (run.phase !== 'placing') return undefined;
  if (orders !== undefined && run.nextIndex >= orders) return undefined;
  if (durationMs !== undefined && Date.now() - run.ledger.startedAt >= durationMs) return undefined;
  return run.nextIndex++;
};

/** The intent of the plan's order `index`: given, or drawn from the rates. */
const planIntent = (run: Run, index: number): Intent => {
  const r = run.random();
  const fixed = run.options.intents?.[index];
  if (fixed) return fixed;
  const abandon = run.options.abandonRate ?? 0;
  if (r < abandon) return 'abandon';
  if (r < abandon + (run.options.cancelRate ?? 0)) return 'cancel';
  return 'complete';
};

/** One order from the customer's side: redeem the code, then choose unless walking away. */
const placeOrder = async (run: Run, counter: Counter, index: number) => {
  const customerId = `${run.runId}-c${index}`;
  const order: SimOrder = {
    index,
    intent: planIntent(run, index),
    customerId,
    t: { start: Date.now() },
    ms: {},
    answers: [],
    errors: [],
  };
  const choice = chooseDrink(counter.menu, run.random);
  const think = between(run.random, run.options.thinkTimeMs ?? [0, 0]);
  run.ledger.add(order);
  const token = await run.options.target.token({ role: 'customer', sub: customerId });
  const redeemed = await redeem(run, counter.display, order, token);
  run.ledger.report();
  if (!redeemed) return;
  order.orderId = redeemed.orderId;
  order.t.redeemed = Date.now();
  run.ledger.placed(order, redeemed.orderId);
  if (order.intent === 'abandon') return; // walks away; the customer timeout ends it
  await sleep(think);
  await choose(run, order, token, choice);
};

/**
 * Scans the display's code and redeems it, again (with a fresh code, after a growing pause)
 * while the code was used up or expired meanwhile. A closed shop rejects the order; any other
 * refusal is recorded. Undefined when no order was placed.
 */
const redeem = (run: Run, display: QrDisplay, order: SimOrder, token: string) => {
  // One key per order: a copy or a retry of the request is the same order (Idempotency-Key).
  const idempotencyKey = `${run.runId}-order-${order.index}`;
  const redeemOnce = async () => {
    const res = await run.api.redeem(token, await display.current(), idempotencyKey);
    order.ms.redeem = res.ms;
    const refusal = ErrorBodySchema.safeParse(res.body);
    const message = refusal.success ? refusal.data.error.message : '';
    if (res.status === 202) return NewOrderResponseSchema.parse(res.body);
    if ((res.status === 409 || res.status === 400) && /code/.test(message)) {
      throw new TryAgain(`redeem: ${res.status} ${message}`);
    }
    if (res.status === 409 && /closed/.test(message)) order.status = 'REJECTED';
    else order.errors.push(`redeem: ${res.status} ${JSON.stringify(res.body)}`);
    return undefined;
  };
  const freshCode = async (attemptNumber: number) => {
    await display.refresh();
    await sleep(50 * attemptNumber);
  };
  return withAttempts(REDEEM_ATTEMPTS, redeemOnce, freshCode);
};

/**
 * Chooses the drink, once: the API accepts the choice whenever the order awaits it — 200 with
 * the order QUEUED, or 202 with the choice kept until the workflow waits for it (it then
 * applies it); after a 202 the customer waits until the order is taken.
 */
const choose = async (run: Run, order: SimOrder, token: string, choice: SimOrder['choice']) => {
  const orderId = order.orderId as string;
  const res = await run.api.choose(orderId, token, choice);
  if (res.status === 200 || res.status === 202) {
    order.choice = choice;
    order.ms.choose = res.ms;
    order.t.chosen = Date.now();
    if (order.status === undefined) order.status = 'QUEUED';
    if (res.status === 202) await untilTaken(run, order, token);
    return;
  }
  const text = JSON.stringify(res.body);
  if (res.status === 409 && /REJECTED/.test(text)) order.status = 'REJECTED';
  else order.errors.push(`choose: ${res.status} ${text}`);
};

/**
 * A choice kept on the order (202) is taken once the workflow waits for it: the customer's
 * phone shows the number then (the OrderPlaced push; the order read every few seconds in
 * case that push was lost). Until then this customer is busy: the closed loop keeps as many
 * orders between placement and the queue as there are customers, as in a shop's line.
 */
const untilTaken = async (run: Run, order: SimOrder, token: string) => {
  const orderId = order.orderId as string;
  const deadline = Date.now() + run.customerTimeoutMs + 60_000;
  const pending = () => order.t.placedAt === undefined && !hasEnded(order) && Date.now() < deadline;
  while (pending()) {
    await Promise.race([
      new Promise<void>((resolve) => run.taken.set(orderId, resolve)),
      sleep(TAKEN_POLL_MS),
    ]);
    run.taken.delete(orderId);
    if (!pending()) return;
    const res = await run.api.read(orderId, token);
    if (res.status !== 200) continue;
    const status = OrderSchema.parse(res.body).status;
    if (isTerminal(status)) run.ledger.setStatus(order, status);
    if (status !== 'AWAITING_SELECTION') return;
  }
};
