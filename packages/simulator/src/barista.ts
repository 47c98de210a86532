import { setTimeout as sleep } from 'node:timers/promises';
import { OrderSchema } from '@espresso/schemas';
import { hasEnded } from './ledger';
import type { SimOrder } from './model';
import { TryAgain, withAttempts } from './retry';
import { between, type Run } from './run';

/** A barista's tablet: its token and the `sub` the orders it claims carry. */
export interface Staff {
  token: string;
  sub: string;
}

/** How often a barista sends an action again whose answer was lost. */
const ATTEMPTS = 3;
/** An idle barista looks at the board at least this often (ms). */
const IDLE_LOOK_MS = 250;

/** An answer lost on the way (no answer, or a 5xx): the request may or may not have applied. */
const lost = (status: number) => status === 0 || status >= 500;

/**
 * A barista until the run stops: takes the order queued longest off the board, claims it, makes
 * the drink and completes it (or cancels it, as its customer's plan says). With nothing on the
 * board it waits for a push, reading the queue when pushes are missing; it leaves once no
 * order can reach the queue any more.
 */
export const baristaAtWork = async (run: Run, staff: Staff): Promise<void> => {
  while (run.phase !== 'stopped') {
    const next = run.board.takeOldest();
    if (next) {
      await serve(run, run.ledger.byId(next) as SimOrder, staff);
      continue;
    }
    if (run.phase !== 'placing' && run.ledger.orders.every(outOfBaristasHands)) return;
    if (!run.options.target.ws || unseen(run)) await readQueue(run, staff.token);
    await run.board.waitForNews(Math.min(run.pollIntervalMs, IDLE_LOOK_MS));
  }
};

/** An order no barista will act on: acted on, never chosen, or ended. */
const outOfBaristasHands = (order: SimOrder) =>
  Boolean(order.action) || !order.t.chosen || hasEnded(order);

/** Claims the order and, when it got it, makes the drink and finishes the order. */
const serve = async (run: Run, order: SimOrder, staff: Staff) => {
  if (!(await claimOrder(run, order, staff))) return;
  order.t.claimed = Date.now();
  order.baristaId = staff.sub;
  order.status = 'IN_PROGRESS';
  await sleep(between(run.random, run.options.makeTimeMs ?? [0, 0]));
  await finishOrder(run, order, staff.token, order.intent === 'cancel' ? 'cancel' : 'complete');
};

/** Orders a barista should see but no push announced (a missed push, or no WebSocket). */
const unseen = (run: Run) =>
  run.ledger.orders.some(
    (o) =>
      o.t.chosen !== undefined &&
      !o.action &&
      !run.board.has(o.orderId as string) &&
      !hasEnded(o) &&
      o.status !== 'IN_PROGRESS' &&
      Date.now() - o.t.chosen > run.pollIntervalMs,
  );

/** Puts the run's queued orders on the board (at most once a poll interval, for all baristas). */
const readQueue = async (run: Run, token: string) => {
  if (Date.now() - run.lastQueueRead < run.pollIntervalMs) return;
  run.lastQueueRead = Date.now();
  const res = await run.api.queue(token);
  if (res.status !== 200) return;
  const queued = (res.body as { queued?: { orderId: string }[] }).queued ?? [];
  for (const { orderId } of queued) {
    const order = run.ledger.byId(orderId);
    if (order && !order.action) run.board.show(orderId, Date.now());
  }
};

/**
 * Claims the order; an answer lost on the way is settled by reading the order back (a
 * barista's screen shows whether the claim went through), and the claim is sent again while
 * the order is still queued. True when this barista holds it.
 */
const claimOrder = async (run: Run, order: SimOrder, staff: Staff): Promise<boolean> =>
  (await withAttempts(ATTEMPTS, () => claimOnce(run, order, staff))) ?? false;

const claimOnce = async (run: Run, order: SimOrder, { token, sub }: Staff) => {
  const orderId = order.orderId as string;
  const claim = await run.api.act(orderId, token, 'claim');
  if (claim.status === 200) {
    order.ms.claim = claim.ms;
    return true;
  }
  order.answers.push(`claim: ${claim.status}`);
  if (!lost(claim.status)) return false; // someone else's, or it ended meanwhile
  const now = await run.api.readBack(orderId, token);
  if (now?.status === 'IN_PROGRESS' && now.baristaId === sub) return true;
  if (now?.status !== 'QUEUED') return false;
  throw new TryAgain(`claim: ${claim.status}`);
};

/** Completes or cancels the order it holds; a lost answer is settled the same way. */
const finishOrder = async (
  run: Run,
  order: SimOrder,
  token: string,
  action: 'complete' | 'cancel',
) => {
  const settled = await withAttempts(ATTEMPTS, () => finishOnce(run, order, token, action));
  if (!settled) order.errors.push(`${action}: no answer after ${ATTEMPTS} attempts`);
};

/** One attempt to finish the order: true once settled (done, or refused and recorded). */
const finishOnce = async (
  run: Run,
  order: SimOrder,
  token: string,
  action: 'complete' | 'cancel',
) => {
  const orderId = order.orderId as string;
  const res = await run.api.act(orderId, token, action);
  if (res.status === 200) {
    order.action = action;
    order.ms.finish = res.ms;
    run.ledger.setStatus(order, OrderSchema.parse(res.body).status);
    return true;
  }
  order.answers.push(`${action}: ${res.status}`);
  if (!lost(res.status)) {
    order.errors.push(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
    return true;
  }
  const now = await run.api.readBack(orderId, token);
  if (now?.status === (action === 'complete' ? 'COMPLETED' : 'CANCELLED')) {
    order.action = action;
    run.ledger.setStatus(order, now.status);
    return true;
  }
  if (now?.status !== 'IN_PROGRESS') {
    order.errors.push(`${action}: ${res.status}, then the order read ${now?.status}`);
    return true;
  }
  throw new TryAgain(`${action}: ${res.status}`);
};
