import { setTimeout as sleep } from 'node:timers/promises';
import { OrderSchema } from '@espresso/schemas';
import { isTerminal } from './ledger';
import type { SimOrder } from './model';
import type { Run } from './run';

/** Orders the drain asks the API about per round. */
const DRAIN_BATCH = 20;
/** How often the drain looks whether every order ended (ms). */
const DRAIN_LOOK_MS = 100;

/**
 * Waits until every placed order ended or `deadline` passed; once a poll interval asks the
 * orders API about the ones no push ended, a few at a time (those asked longest ago first), so a
 * long backlog is not a second load.
 */
export const drain = async (run: Run, staffToken: string, deadline: number): Promise<void> => {
  const asked = new Map<SimOrder, number>();
  let lastAsked = Date.now();
  while (run.ledger.open().length > 0 && Date.now() < deadline) {
    await sleep(DRAIN_LOOK_MS);
    if (Date.now() - lastAsked < run.pollIntervalMs) continue;
    lastAsked = Date.now();
    const batch = run.ledger
      .open()
      .sort((a, b) => (asked.get(a) ?? 0) - (asked.get(b) ?? 0))
      .slice(0, DRAIN_BATCH);
    for (const order of batch) {
      asked.set(order, Date.now());
      await learnEnd(run, order, staffToken);
    }
  }
};

/** Reads the order; records its status when it ended. */
const learnEnd = async (run: Run, order: SimOrder, token: string) => {
  const res = await run.api.read(order.orderId as string, token);
  if (res.status !== 200) return;
  const status = OrderSchema.parse(res.body).status;
  if (isTerminal(status)) run.ledger.setStatus(order, status);
};
