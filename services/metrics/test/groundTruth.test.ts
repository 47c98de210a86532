import type { DetailInputOf, MetricsResponse } from '@espresso/schemas';
import { expect } from 'chai';
import {
  batchReports,
  envelope,
  getMetrics,
  type MetricsStack,
  metricsStack,
  newShopId,
  sendToQueue,
  until,
} from './helpers';

/** A small seeded PRNG (mulberry32): the same 1,000 events every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const DAY = '2026-11-26';
const DRINKS = ['latte', 'espresso', 'cappuccino', 'flat-white'];
const MILKS = ['Regular', 'Oat', 'Soy'];
const BARISTAS = ['barista-a', 'barista-b', 'barista-c'];

type Ending =
  | { type: 'OrderManager.OrderCompleted'; detail: DetailInputOf<'OrderManager.OrderCompleted'> }
  | { type: 'OrderManager.OrderCancelled'; detail: DetailInputOf<'OrderManager.OrderCancelled'> }
  | { type: 'OrderProcessor.OrderTimedOut'; detail: DetailInputOf<'OrderProcessor.OrderTimedOut'> }
  | {
      type: 'OrderProcessor.ShopUnavailable';
      detail: DetailInputOf<'OrderProcessor.ShopUnavailable'>;
    };

/** `n` distinct order endings of one shop on one day, spread over its hours. */
const generate = (shopId: string, n: number, next: () => number): Ending[] => {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  return Array.from({ length: n }, (_, i): Ending => {
    const at = new Date(
      Date.parse(`${DAY}T06:00:00.000Z`) + Math.floor(next() * 14 * 3_600_000),
    ).toISOString();
    const base = { version: 1 as const, shopId, orderId: `o${i}`, customerId: `c${i % 37}`, at };
    const roll = next();
    if (roll < 0.7) {
      const t = Date.parse(at);
      const makeMs = 30_000 + Math.floor(next() * 270_000);
      const waitMs = Math.floor(next() * 600_000);
      const claimedAt = t - makeMs;
      const modifiers: Record<string, string> = { Milk: pick(MILKS) };
      if (next() < 0.5) modifiers.Size = pick(['Small', 'Large']);
      return {
        type: 'OrderManager.OrderCompleted',
        detail: {
          ...base,
          baristaId: pick(BARISTAS),
          drinkId: pick(DRINKS),
          modifiers,
          orderNumber: i + 1,
          createdAt: new Date(claimedAt - waitMs - 60_000).toISOString(),
          submittedAt: new Date(claimedAt - waitMs).toISOString(),
          claimedAt: new Date(claimedAt).toISOString(),
        },
      };
    }
    if (roll < 0.8) {
      return {
        type: 'OrderManager.OrderCancelled',
        detail: {
          ...base,
          reason: 'CANCELLED_BY_BARISTA',
          cancelledBy: pick(BARISTAS),
          previousStatus: 'QUEUED',
        },
      };
    }
    if (roll < 0.9) {
      return { type: 'OrderProcessor.OrderTimedOut', detail: { ...base, stage: 'BARISTA' } };
    }
    return {
      type: 'OrderProcessor.ShopUnavailable',
      detail: { ...base, reason: 'AT_CAPACITY' },
    };
  });
};

/** What the API must answer for these endings, computed here without the service's code. */
const groundTruth = (endings: Ending[]) => {
  const byOutcome = { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 };
  const hours = new Map<string, typeof byOutcome>();
  const drinks = new Map<string, number>();
  const modifiers = new Map<string, number>();
  const baristas = new Map<string, { completed: number; makeMs: number }>();
  let waitMs = 0;
  let makeMs = 0;
  let completed = 0;
  for (const e of endings) {
    const outcome = {
      'OrderManager.OrderCompleted': 'COMPLETED',
      'OrderManager.OrderCancelled': 'CANCELLED',
      'OrderProcessor.OrderTimedOut': 'TIMED_OUT',
      'OrderProcessor.ShopUnavailable': 'REJECTED',
    }[e.type] as keyof typeof byOutcome;
    byOutcome[outcome]++;
    const hour = e.detail.at.slice(0, 13);
    const h = hours.get(hour) ?? { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 };
    h[outcome]++;
    hours.set(hour, h);
    if (e.type === 'OrderManager.OrderCompleted') {
      const d = e.detail;
      completed++;
      drinks.set(d.drinkId, (drinks.get(d.drinkId) ?? 0) + 1);
      for (const [group, option] of Object.entries(d.modifiers)) {
        const key = `${group}=${option}`;
        modifiers.set(key, (modifiers.get(key) ?? 0) + 1);
      }
      const make = Date.parse(d.at) - Date.parse(d.claimedAt);
      waitMs += Date.parse(d.claimedAt) - Date.parse(d.submittedAt);
      makeMs += make;
      const b = baristas.get(d.baristaId) ?? { completed: 0, makeMs: 0 };
      b.completed++;
      b.makeMs += make;
      baristas.set(d.baristaId, b);
    }
  }
  return {
    byOutcome,
    hours: Object.fromEntries(hours),
    drinks: Object.fromEntries(drinks),
    modifiers: Object.fromEntries(modifiers),
    baristas: Object.fromEntries(
      [...baristas].map(([id, b]) => [
        id,
        { completed: b.completed, makeSeconds: b.makeMs / 1000 },
      ]),
    ),
    wait: { seconds: waitMs / 1000, count: completed },
    make: { seconds: makeMs / 1000, count: completed },
    averages: {
      waitSeconds: Math.round(waitMs / completed) / 1000,
      makeSeconds: Math.round(makeMs / completed) / 1000,
    },
  };
};

/** The same facts read from the API's answer. */
const observed = (r: MetricsResponse) => ({
  byOutcome: r.totals.byOutcome,
  hours: Object.fromEntries(r.hours.map((h) => [h.hour, h.byOutcome])),
  drinks: Object.fromEntries(r.drinks.map((d) => [d.drinkId, d.count])),
  modifiers: Object.fromEntries(r.modifiers.map((m) => [`${m.group}=${m.option}`, m.count])),
  baristas: Object.fromEntries(
    r.baristas.map((b) => [b.baristaId, { completed: b.completed, makeSeconds: b.make.seconds }]),
  ),
  wait: r.totals.wait,
  make: r.totals.make,
  averages: r.averages,
});

describe('1,000 endings with duplicates, shuffled (local stack)', function () {
  this.timeout(120_000);
  let m: MetricsStack;

  before(async function () {
    this.timeout(240_000);
    m = await metricsStack();
  });

  it('counts exactly the ground truth within 0.2 DynamoDB write requests per event', async () => {
    const next = random(20261126);
    const shopId = newShopId();
    const endings = generate(shopId, 800, next);
    const bodies = endings.map((e) => JSON.stringify(envelope(e.type, e.detail as never)));
    // 100 redeliveries (the same message again) and 100 producer retries (a new event id).
    const redelivered = bodies.slice(0, 100);
    const retried = endings
      .slice(100, 200)
      .map((e) => JSON.stringify(envelope(e.type, e.detail as never)));
    const all = [...bodies, ...redelivered, ...retried];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [all[i], all[j]] = [all[j] as string, all[i] as string];
    }
    expect(all).to.have.length(1000);

    const before = batchReports(m).length;
    const started = Date.now();
    await sendToQueue(m, all);
    await until(
      'every message counted',
      () => {
        const reports = batchReports(m).slice(before);
        return reports.reduce((n, r) => n + r.messages, 0) >= 1000 ? reports : undefined;
      },
      90_000,
    );
    const reports = batchReports(m).slice(before);
    const sum = (key: 'messages' | 'applied' | 'duplicates' | 'failed' | 'writeRequests') =>
      reports.reduce((n, r) => n + r[key], 0);
    const perEvent = sum('writeRequests') / sum('messages');
    console.log(
      `      ${sum('messages')} messages in ${reports.length} batches (${Date.now() - started} ms): ` +
        `${sum('applied')} applied, ${sum('duplicates')} duplicates, ${sum('failed')} failed; ` +
        `${sum('writeRequests')} DynamoDB write requests = ${perEvent.toFixed(3)} per event`,
    );
    expect(sum('messages')).to.equal(1000);
    expect(sum('applied')).to.equal(800);
    expect(sum('duplicates')).to.equal(200);
    expect(sum('failed')).to.equal(0);
    expect(perEvent).to.be.at.most(0.2);

    const report = await getMetrics(m, shopId, DAY);
    expect(observed(report)).to.deep.equal(groundTruth(endings));
    expect(report.totals.orders).to.equal(800);
    expect(report.days).to.have.length(1);
    expect(report.days[0]?.byOutcome).to.deep.equal(report.totals.byOutcome);
  });
});
