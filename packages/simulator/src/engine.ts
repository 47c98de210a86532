import {
  ErrorBodySchema,
  NewOrderResponseSchema,
  OrderSchema,
  type OrderStatus,
  QrCodeResponseSchema,
  TERMINAL_STATUSES,
} from '@espresso/schemas';
import { createHttp, type Http, type RequestLog } from './http';
import { chooseDrink, readShop } from './shop';
import { openScreen, type Push, type Screen } from './socket';
import { type Summary, seededRandom, summarize } from './stats';
import type { Target } from './target';

/** What the simulated customer means to do with the order. */
export type Intent = 'complete' | 'cancel' | 'abandon';

export interface SimulationOptions {
  target: Target;
  shopId: string;
  /**
   * Customers placing orders at once (a closed loop: each places its next order when its phone
   * shows the last one taken — the choice answered 200, or kept (202) and then `OrderPlaced`).
   */
  customers: number;
  baristas: number;
  /** Stop after this many orders… */
  orders?: number;
  /** …or stop placing new orders after this long (ms). */
  durationMs?: number;
  /** Share of orders the barista cancels instead of completing (0–1). */
  cancelRate?: number;
  /** Share of orders the customer never chooses a drink for: the customer timeout ends them. */
  abandonRate?: number;
  /** The customer's pause before choosing a drink (ms): `[min, max]`, uniform. */
  thinkTimeMs?: [number, number];
  /** The barista's time to make a drink between claim and complete (ms). */
  makeTimeMs?: [number, number];
  /** The intents of the first orders, in order (the rest are drawn from the rates). */
  intents?: Intent[];
  /**
   * Share of the customers' choices and cancels and the baristas' claims, completes and
   * cancels (0–1) that are sent twice at once, as a phone on flaky Wi-Fi retries a request
   * whose answer it lost: the client takes whichever answer succeeded.
   */
  duplicateRate?: number;
  /** Seed of the run plan (intents, drinks, pauses): the same seed, the same plan. */
  seed?: number;
  /** Baristas poll the queue when no push came for this long while orders are outstanding. */
  pollIntervalMs?: number;
  /** How long to wait after the last order was placed for every order to end (ms). */
  drainTimeoutMs?: number;
  /** Prefix of the customers' `sub` (default: a fresh one per run). */
  runId?: string;
  onProgress?: (progress: Progress) => void;
  /** Every push a barista screen receives (the bench measures latency from the bus with it). */
  onPush?: (push: Push) => void;
}

export interface Progress {
  placed: number;
  finished: number;
  planned?: number;
  elapsedMs: number;
}

/** One simulated order: the plan, what happened and when (epoch ms). */
export interface SimOrder {
  index: number;
  intent: Intent;
  customerId: string;
  orderId?: string;
  choice?: { drinkId: string; modifiers: Record<string, string> };
  /** The order's last status as the simulator learned it (answers and pushes). */
  status?: OrderStatus;
  baristaId?: string;
  /** What the simulator did to end it: `complete`, `cancel`, or nothing (abandoned, rejected). */
  action?: 'complete' | 'cancel';
  t: {
    start: number;
    redeemed?: number;
    chosen?: number;
    /** The OrderPlaced detail's `at`. */
    placedAt?: number;
    /** When the first barista screen received OrderPlaced. */
    pushed?: number;
    claimed?: number;
    finished?: number;
  };
  ms: { redeem?: number; choose?: number; claim?: number; finish?: number };
  /** The answers other than 200 to the baristas' claims and actions (`claim: 409`), in order. */
  answers: string[];
  errors: string[];
}

export interface SimulationResult {
  shopId: string;
  runId: string;
  orders: SimOrder[];
  /** Orders by their final status (`UNFINISHED` when none was learned before the drain ended). */
  outcomes: Record<string, number>;
  latencies: Record<string, Summary>;
  requests: RequestLog['requests'];
  /** Total answer time per route (ms): an upper bound of the Lambda time behind each route. */
  requestMs: Record<string, number>;
  errors: RequestLog['errors'];
  /** Orders whose final status differs from the one their plan and actions imply. */
  inconsistent: { orderId?: string; intent: Intent; action?: string; status?: string }[];
  /** When the run began (epoch ms). */
  startedAt: number;
  /** From the first order to the last order's end (ms). */
  elapsedMs: number;
  /** Completed orders per second over `elapsedMs`. */
  completedPerSecond: number;
  pushesReceived: number;
  /** Requests sent twice (`duplicateRate`), and how the copies were answered, by status. */
  duplicates: { sent: number; answers: Record<string, number> };
}

/** A customer waiting for a kept choice to be taken reads the order this often (ms). */
const TAKEN_POLL_MS = 5000;
/** Orders the drain asks the API about per round. */
const DRAIN_BATCH = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TERMINAL = new Set<string>(TERMINAL_STATUSES);
const between = (random: () => number, [min, max]: [number, number]) =>
  min + random() * Math.max(0, max - min);

/** The status a push about an order means (staff view). */
const PUSH_STATUS: Record<string, OrderStatus> = {
  'OrderManager.OrderPlaced': 'QUEUED',
  'OrderManager.OrderClaimed': 'IN_PROGRESS',
  'OrderManager.OrderUnclaimed': 'QUEUED',
  'OrderManager.OrderCompleted': 'COMPLETED',
  'OrderManager.OrderCancelled': 'CANCELLED',
  'OrderProcessor.OrderTimedOut': 'TIMED_OUT',
};

/** The final status an order must reach given its plan and what the simulator did. */
export const expectedStatus = (order: SimOrder): OrderStatus[] => {
  if (order.status === 'REJECTED') return ['REJECTED'];
  if (order.action === 'complete') return ['COMPLETED'];
  if (order.action === 'cancel') return ['CANCELLED'];
  if (order.intent === 'abandon') return ['TIMED_OUT'];
  // Chosen but never finished by a barista: only the barista timeout can end it.
  return ['TIMED_OUT'];
};

/**
 * Runs a busy shop against a stack: `customers` redeem the display's QR code, choose a drink from
 * the menu after a think time (or abandon), `baristas` hear new orders on the publisher's
 * WebSocket (polling the queue when pushes are missing), claim them and complete or cancel them.
 * Resolves once every order ended (or the drain timed out) with what happened and the figures.
 */
export const simulate = async (options: SimulationOptions): Promise<SimulationResult> => {
  const { target, shopId } = options;
  const random = seededRandom(options.seed ?? 1);
  const runId = options.runId ?? `sim${Date.now().toString(36)}`;
  const log: RequestLog = { requests: {}, ms: {}, errors: [] };
  const http: Http = createHttp(log);
  const duplicates = { sent: 0, answers: {} as Record<string, number> };
  const duplicateRate = options.duplicateRate ?? 0;
  // Its own random source, so the plan of a seed is the same with or without duplicates.
  const duplicateRandom = seededRandom((options.seed ?? 1) + 7919);
  /**
   * A request that places or changes an order, sent twice at once with probability
   * `duplicateRate`. Both answers count; the client keeps a success (200/202) if either got one
   * (the other then answers 409 or the same), else the first answer.
   */
  const change: Http = async (...args) => {
    if (duplicateRate <= 0 || duplicateRandom() >= duplicateRate) return http(...args);
    duplicates.sent += 1;
    const [first, second] = await Promise.all([http(...args), http(...args)]);
    for (const answer of [first, second]) {
      duplicates.answers[answer.status] = (duplicates.answers[answer.status] ?? 0) + 1;
    }
    const ok = (status: number) => status === 200 || status === 202;
    return ok(first.status) ? first : ok(second.status) ? second : first;
  };
  const thinkTime = options.thinkTimeMs ?? [0, 0];
  const makeTime = options.makeTimeMs ?? [0, 0];
  const pollIntervalMs = options.pollIntervalMs ?? 2000;
  if (options.orders === undefined && options.durationMs === undefined) {
    throw new Error('give a number of orders or a duration');
  }

  const shop = await readShop(target, http, shopId);
  if (!shop) throw new Error(`shop ${shopId} does not exist`);
  const customerTimeoutMs = shop.timeouts.customerSeconds * 1000;

  const orders: SimOrder[] = [];
  const byId = new Map<string, SimOrder>();
  const started = Date.now();
  let placing = true;
  let pushesReceived = 0;
  const ended = () => orders.filter((o) => o.status && TERMINAL.has(o.status)).length;
  const report = () =>
    options.onProgress?.({
      placed: orders.length,
      finished: ended(),
      ...(options.orders === undefined ? {} : { planned: options.orders }),
      elapsedMs: Date.now() - started,
    });

  const setStatus = (order: SimOrder, status: OrderStatus, at = Date.now()) => {
    if (order.status && TERMINAL.has(order.status)) return;
    order.status = status;
    if (TERMINAL.has(status)) {
      order.t.finished ??= at;
      report();
    }
  };

  // ---- the display's QR code, shared by every customer, fetched again when used up
  const display = await target.token({ role: 'display', shopId, sub: `${runId}-display` });
  let code: { code: string; expiresAt: number } | undefined;
  let fetching: Promise<void> | undefined;
  const fetchCode = () => {
    fetching ??= (async () => {
      const res = await http(
        target.orders,
        'GET',
        `/shops/${shopId}/qr-code`,
        '/shops/{id}/qr-code',
        {
          token: display,
        },
      );
      if (res.status !== 200) throw new Error(`QR code: ${res.status} ${JSON.stringify(res.body)}`);
      const qr = QrCodeResponseSchema.parse(res.body);
      code = { code: qr.code, expiresAt: Date.parse(qr.expiresAt) };
    })().finally(() => {
      fetching = undefined;
    });
    return fetching;
  };
  const currentCode = async () => {
    if (!code || code.expiresAt - Date.now() < 2000) await fetchCode();
    return (code as { code: string }).code;
  };

  // ---- the baristas' board: orders the screens showed as queued, oldest first
  const board = new Map<string, number>();
  const waiters = new Set<() => void>();
  const nudge = () => {
    for (const wake of waiters) wake();
    waiters.clear();
  };
  /** Customers waiting to see their kept choice taken (OrderPlaced), by order id. */
  const taken = new Map<string, () => void>();
  const onPush = (push: Push) => {
    pushesReceived += 1;
    options.onPush?.(push);
    const orderId = push.detail.orderId;
    if (typeof orderId !== 'string') return;
    const order = byId.get(orderId);
    if (!order) return; // another client's order in the same shop
    const status = PUSH_STATUS[push.type];
    if (push.type === 'OrderManager.OrderPlaced') {
      order.t.pushed ??= push.receivedAt;
      order.t.placedAt ??= Date.parse(push.at);
      taken.get(orderId)?.();
    }
    if (!status) return;
    if (status === 'QUEUED' && !order.action) {
      if (!board.has(orderId)) board.set(orderId, push.receivedAt);
      nudge();
    } else if (status !== 'QUEUED') {
      board.delete(orderId);
    }
    if (TERMINAL.has(status)) setStatus(order, status, push.receivedAt);
  };

  const baristaTokens = await Promise.all(
    Array.from({ length: options.baristas }, (_, i) =>
      target
        .token({ role: 'barista', shopId, sub: `${runId}-barista-${i + 1}` })
        .then((token) => ({ token, sub: `${runId}-barista-${i + 1}` })),
    ),
  );
  const screens: Screen[] = [];
  if (target.ws) {
    for (const { token } of baristaTokens) screens.push(await openScreen(target.ws, token, onPush));
  }

  /** Orders a barista should see but no push announced (a missed push, or no WebSocket). */
  const unseen = () =>
    orders.some(
      (o) =>
        o.t.chosen !== undefined &&
        !o.action &&
        !board.has(o.orderId as string) &&
        !(o.status && TERMINAL.has(o.status)) &&
        o.status !== 'IN_PROGRESS' &&
        Date.now() - o.t.chosen > pollIntervalMs,
    );
  let lastPoll = 0;
  const pollQueue = async (token: string) => {
    if (Date.now() - lastPoll < pollIntervalMs) return;
    lastPoll = Date.now();
    const res = await http(target.orders, 'GET', `/shops/${shopId}/queue`, '/shops/{id}/queue', {
      token,
    });
    if (res.status !== 200) return;
    const queued = (res.body as { queued?: { orderId: string }[] }).queued ?? [];
    for (const { orderId } of queued) {
      const order = byId.get(orderId);
      if (order && !order.action && !board.has(orderId)) board.set(orderId, Date.now());
    }
  };

  /** Set once the drain ended: every barista leaves its loop (no timer outlives the run). */
  let stopped = false;
  /** The order as the orders API has it now (a barista's screen reading it back). */
  const readBack = async (orderId: string, token: string) => {
    const res = await http(
      target.orders,
      'GET',
      `/shops/${shopId}/orders/${orderId}`,
      '/shops/{id}/orders/{id}',
      { token },
    );
    return res.status === 200 ? OrderSchema.parse(res.body) : undefined;
  };
  /** An answer lost on the way (no answer, or a 5xx): the request may or may not have applied. */
  const lost = (status: number) => status === 0 || status >= 500;
  /** How often a barista sends an action again whose answer was lost. */
  const ATTEMPTS = 3;

  /**
   * Claims the order; an answer lost on the way is settled by reading the order back (a
   * barista's screen shows whether the claim went through). True when the caller holds it.
   */
  const claimOrder = async (order: SimOrder, token: string, sub: string) => {
    const base = `/shops/${shopId}/orders/${order.orderId}`;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const claim = await change(
        target.orders,
        'POST',
        `${base}/claim`,
        '/shops/{id}/orders/{id}/claim',
        { token },
      );
      if (claim.status === 200) {
        order.ms.claim = claim.ms;
        return true;
      }
      order.answers.push(`claim: ${claim.status}`);
      if (!lost(claim.status)) return false; // someone else's, or it ended meanwhile
      const now = await readBack(order.orderId as string, token);
      if (now?.status === 'IN_PROGRESS' && now.baristaId === sub) return true;
      if (now?.status !== 'QUEUED') return false;
    }
    return false;
  };

  /** Completes or cancels the order it holds; a lost answer is settled the same way. */
  const finishOrder = async (order: SimOrder, token: string, action: 'complete' | 'cancel') => {
    const base = `/shops/${shopId}/orders/${order.orderId}`;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const res = await change(
        target.orders,
        'POST',
        `${base}/${action}`,
        `/shops/{id}/orders/{id}/${action}`,
        { token },
      );
      if (res.status === 200) {
        order.action = action;
        order.ms.finish = res.ms;
        setStatus(order, OrderSchema.parse(res.body).status);
        return;
      }
      order.answers.push(`${action}: ${res.status}`);
      if (!lost(res.status)) {
        order.errors.push(`${action}: ${res.status} ${JSON.stringify(res.body)}`);
        return;
      }
      const now = await readBack(order.orderId as string, token);
      const ended = action === 'complete' ? 'COMPLETED' : 'CANCELLED';
      if (now?.status === ended) {
        order.action = action;
        setStatus(order, now.status);
        return;
      }
      if (now?.status !== 'IN_PROGRESS') {
        order.errors.push(`${action}: ${res.status}, then the order read ${now?.status}`);
        return;
      }
    }
    order.errors.push(`${action}: no answer after ${ATTEMPTS} attempts`);
  };

  const barista = async ({ token, sub }: { token: string; sub: string }) => {
    while (!stopped) {
      const next = [...board.entries()].sort((a, b) => a[1] - b[1])[0]?.[0];
      if (!next) {
        const done = (o: SimOrder) =>
          o.action || !o.t.chosen || (o.status !== undefined && TERMINAL.has(o.status));
        if (!placing && orders.every(done)) {
          return;
        }
        if (!target.ws || unseen()) await pollQueue(token);
        await Promise.race([
          new Promise<void>((resolve) => {
            waiters.add(resolve);
          }),
          sleep(Math.min(pollIntervalMs, 250)),
        ]);
        continue;
      }
      board.delete(next);
      const order = byId.get(next) as SimOrder;
      if (!(await claimOrder(order, token, sub))) continue;
      order.t.claimed = Date.now();
      order.baristaId = sub;
      order.status = 'IN_PROGRESS';
      await sleep(between(random, makeTime));
      await finishOrder(order, token, order.intent === 'cancel' ? 'cancel' : 'complete');
    }
  };

  // ---- customers
  /**
   * A choice kept on the order (202) is taken once the workflow waits for it: the customer's
   * phone shows the number then (the OrderPlaced push; the order read every few seconds in
   * case that push was lost). Until then this customer is busy: the closed loop keeps as many
   * orders between placement and the queue as there are customers, as in a shop's line.
   */
  const untilTaken = async (order: SimOrder, token: string) => {
    const orderId = order.orderId as string;
    const deadline = Date.now() + customerTimeoutMs + 60_000;
    const pending = () =>
      order.t.placedAt === undefined &&
      !(order.status && TERMINAL.has(order.status)) &&
      Date.now() < deadline;
    while (pending()) {
      await Promise.race([
        new Promise<void>((resolve) => taken.set(orderId, resolve)),
        sleep(TAKEN_POLL_MS),
      ]);
      taken.delete(orderId);
      if (!pending()) return;
      const res = await http(
        target.orders,
        'GET',
        `/shops/${shopId}/orders/${orderId}`,
        '/shops/{id}/orders/{id}',
        { token },
      );
      if (res.status !== 200) continue;
      const status = OrderSchema.parse(res.body).status;
      if (TERMINAL.has(status)) setStatus(order, status);
      if (status !== 'AWAITING_SELECTION') return;
    }
  };

  let nextIndex = 0;
  const takeIndex = () => {
    if (!placing) return undefined;
    if (options.orders !== undefined && nextIndex >= options.orders) return undefined;
    if (options.durationMs !== undefined && Date.now() - started >= options.durationMs) {
      return undefined;
    }
    return nextIndex++;
  };
  const plan = (index: number): Intent => {
    const r = random();
    const fixed = options.intents?.[index];
    if (fixed) return fixed;
    const abandon = options.abandonRate ?? 0;
    if (r < abandon) return 'abandon';
    if (r < abandon + (options.cancelRate ?? 0)) return 'cancel';
    return 'complete';
  };

  const customer = async () => {
    for (let index = takeIndex(); index !== undefined; index = takeIndex()) {
      const customerId = `${runId}-c${index}`;
      const order: SimOrder = {
        index,
        intent: plan(index),
        customerId,
        t: { start: Date.now() },
        ms: {},
        answers: [],
        errors: [],
      };
      const choice = chooseDrink(shop.menu, random);
      const think = between(random, thinkTime);
      orders.push(order);
      const token = await target.token({ role: 'customer', sub: customerId });
      let redeemed: { orderId: string } | undefined;
      // One key per order: a copy or a retry of the request is the same order (Idempotency-Key).
      const idempotencyKey = `${runId}-order-${index}`;
      for (let attempt = 0; attempt < 5 && !redeemed; attempt++) {
        const res = await change(
          target.orders,
          'POST',
          `/shops/${shopId}/orders`,
          '/shops/{id}/orders',
          {
            token,
            body: { qrCode: await currentCode() },
            headers: { 'idempotency-key': idempotencyKey },
          },
        );
        order.ms.redeem = res.ms;
        const refusal = ErrorBodySchema.safeParse(res.body);
        const message = refusal.success ? refusal.data.error.message : '';
        if (res.status === 202) {
          redeemed = NewOrderResponseSchema.parse(res.body);
        } else if ((res.status === 409 || res.status === 400) && /code/.test(message)) {
          await fetchCode();
          await sleep(50 * (attempt + 1));
        } else if (res.status === 409 && /closed/.test(message)) {
          order.status = 'REJECTED';
          break;
        } else {
          order.errors.push(`redeem: ${res.status} ${JSON.stringify(res.body)}`);
          break;
        }
      }
      report();
      if (!redeemed) continue;
      order.orderId = redeemed.orderId;
      order.t.redeemed = Date.now();
      byId.set(redeemed.orderId, order);
      if (order.intent === 'abandon') continue; // walks away; the customer timeout ends it

      await sleep(think);
      // Sent once: the API accepts the choice whenever the order awaits it — 200 with the order
      // QUEUED, or 202 with the choice kept until the workflow waits for it (it then applies it).
      const res = await change(
        target.orders,
        'PUT',
        `/shops/${shopId}/orders/${redeemed.orderId}`,
        '/shops/{id}/orders/{id}',
        { token, body: choice },
      );
      if (res.status === 200 || res.status === 202) {
        order.choice = choice;
        order.ms.choose = res.ms;
        order.t.chosen = Date.now();
        if (order.status === undefined) order.status = 'QUEUED';
        if (res.status === 202) await untilTaken(order, token);
      } else {
        const text = JSON.stringify(res.body);
        if (res.status === 409 && /REJECTED/.test(text)) order.status = 'REJECTED';
        else order.errors.push(`choose: ${res.status} ${text}`);
      }
    }
  };

  const baristaRuns = baristaTokens.map((b) => barista(b));
  await Promise.all(Array.from({ length: options.customers }, () => customer()));
  placing = false;
  nudge();

  // ---- drain: wait for every order to end; ask the orders API about the ones no push ended,
  // a few at a time (those asked longest ago first), so a long backlog is not a second load.
  const drainDeadline = Date.now() + (options.drainTimeoutMs ?? customerTimeoutMs + 30_000);
  const open = () => orders.filter((o) => o.orderId && !(o.status && TERMINAL.has(o.status)));
  const asked = new Map<SimOrder, number>();
  let lastAsked = Date.now();
  while (open().length > 0 && Date.now() < drainDeadline) {
    await sleep(100);
    if (Date.now() - lastAsked < pollIntervalMs) continue;
    lastAsked = Date.now();
    const staff = baristaTokens[0]?.token ?? display;
    const batch = open()
      .sort((a, b) => (asked.get(a) ?? 0) - (asked.get(b) ?? 0))
      .slice(0, DRAIN_BATCH);
    for (const order of batch) {
      asked.set(order, Date.now());
      const res = await http(
        target.orders,
        'GET',
        `/shops/${shopId}/orders/${order.orderId}`,
        '/shops/{id}/orders/{id}',
        { token: staff },
      );
      if (res.status === 200) {
        const status = OrderSchema.parse(res.body).status;
        if (TERMINAL.has(status)) setStatus(order, status);
      }
    }
  }
  stopped = true;
  nudge();
  await Promise.all(baristaRuns);
  await Promise.all(screens.map((s) => s.close()));

  const finishedAt = Math.max(started, ...orders.map((o) => o.t.finished ?? 0));
  const elapsedMs = Math.max(1, finishedAt - started);
  const outcomes: Record<string, number> = {};
  for (const o of orders) {
    const key = o.status && TERMINAL.has(o.status) ? o.status : o.orderId ? 'UNFINISHED' : 'FAILED';
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const values = (pick: (o: SimOrder) => number | undefined) =>
    orders.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const latencies = {
    redeem: summarize(values((o) => o.ms.redeem)),
    choose: summarize(values((o) => o.ms.choose)),
    'placed→push': summarize(
      values((o) => (o.t.pushed && o.t.placedAt ? o.t.pushed - o.t.placedAt : undefined)),
    ),
    'chosen→claimed': summarize(
      values((o) => (o.t.claimed && o.t.chosen ? o.t.claimed - o.t.chosen : undefined)),
    ),
    claim: summarize(values((o) => o.ms.claim)),
    'complete/cancel': summarize(values((o) => o.ms.finish)),
    lifecycle: summarize(
      values((o) =>
        o.status === 'COMPLETED' && o.t.finished ? o.t.finished - o.t.start : undefined,
      ),
    ),
  };
  const inconsistent = orders
    .filter((o) => o.orderId && !(o.status && expectedStatus(o).includes(o.status)))
    .map((o) => ({
      orderId: o.orderId,
      intent: o.intent,
      ...(o.action ? { action: o.action } : {}),
      ...(o.status ? { status: o.status } : {}),
    }));
  return {
    shopId,
    runId,
    orders,
    outcomes,
    latencies,
    requests: log.requests,
    requestMs: log.ms ?? {},
    errors: [
      ...log.errors,
      ...orders.flatMap((o) => o.errors.map((message) => ({ route: 'order', status: 0, message }))),
    ],
    inconsistent,
    startedAt: started,
    elapsedMs,
    completedPerSecond: ((outcomes.COMPLETED ?? 0) * 1000) / elapsedMs,
    pushesReceived,
    duplicates,
  };
};
