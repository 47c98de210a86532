import type { OrderStatus } from '@espresso/schemas';
import type { RequestLog } from './http';
import type { Push } from './socket';
import type { Summary } from './stats';
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

/** The final status an order must reach given its plan and what the simulator did. */
export const expectedStatus = (order: SimOrder): OrderStatus[] => {
  if (order.status === 'REJECTED') return ['REJECTED'];
  if (order.action === 'complete') return ['COMPLETED'];
  if (order.action === 'cancel') return ['CANCELLED'];
  if (order.intent === 'abandon') return ['TIMED_OUT'];
  // Chosen but never finished by a barista: only the barista timeout can end it.
  return ['TIMED_OUT'];
};
