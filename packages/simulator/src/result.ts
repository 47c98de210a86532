import type { DuplicateCount } from './api';
import type { RequestLog } from './http';
import { hasEnded } from './ledger';
import { expectedStatus, type SimOrder, type SimulationResult } from './model';
import { summarize } from './stats';

/** What the run did and saw, for `simulate`'s result. */
export interface RunRecord {
  shopId: string;
  runId: string;
  orders: SimOrder[];
  log: RequestLog;
  startedAt: number;
  pushesReceived: number;
  duplicates: DuplicateCount;
}

/** The run's report: outcomes, latencies, requests and errors, orders that ended otherwise. */
export const runResult = (record: RunRecord): SimulationResult => {
  const { orders, log, startedAt } = record;
  const finishedAt = Math.max(startedAt, ...orders.map((o) => o.t.finished ?? 0));
  const elapsedMs = Math.max(1, finishedAt - startedAt);
  const outcomes = outcomesOf(orders);
  return {
    shopId: record.shopId,
    runId: record.runId,
    orders,
    outcomes,
    latencies: latenciesOf(orders),
    requests: log.requests,
    requestMs: log.ms ?? {},
    errors: [
      ...log.errors,
      ...orders.flatMap((o) => o.errors.map((message) => ({ route: 'order', status: 0, message }))),
    ],
    inconsistent: inconsistentOf(orders),
    startedAt,
    elapsedMs,
    completedPerSecond: ((outcomes.COMPLETED ?? 0) * 1000) / elapsedMs,
    pushesReceived: record.pushesReceived,
    duplicates: record.duplicates,
  };
};

/** Orders by their final status: `UNFINISHED` when placed but no end was learned, else `FAILED`. */
const outcomesOf = (orders: SimOrder[]) => {
  const outcomes: Record<string, number> = {};
  for (const o of orders) {
    const key = hasEnded(o) ? (o.status as string) : o.orderId ? 'UNFINISHED' : 'FAILED';
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  return outcomes;
};

/** A gap between two of an order's times, when both are known. */
const gap = (from: number | undefined, to: number | undefined) =>
  from && to ? to - from : undefined;

const latenciesOf = (orders: SimOrder[]) => {
  const values = (pick: (o: SimOrder) => number | undefined) =>
    summarize(orders.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v)));
  return {
    redeem: values((o) => o.ms.redeem),
    choose: values((o) => o.ms.choose),
    'placed→push': values((o) => gap(o.t.placedAt, o.t.pushed)),
    'chosen→claimed': values((o) => gap(o.t.chosen, o.t.claimed)),
    claim: values((o) => o.ms.claim),
    'complete/cancel': values((o) => o.ms.finish),
    lifecycle: values((o) => (o.status === 'COMPLETED' ? gap(o.t.start, o.t.finished) : undefined)),
  };
};

/** Orders whose final status differs from the one their plan and actions imply. */
const inconsistentOf = (orders: SimOrder[]) =>
  orders
    .filter((o) => o.orderId && !(o.status && expectedStatus(o).includes(o.status)))
    .map((o) => ({
      orderId: o.orderId,
      intent: o.intent,
      ...(o.action ? { action: o.action } : {}),
      ...(o.status ? { status: o.status } : {}),
    }));
