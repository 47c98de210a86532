import {
  type IsoDate,
  type MetricsBucket,
  type MetricsResponse,
  ORDER_OUTCOMES,
  type OrderOutcome,
} from '@espresso/schemas';
import type { DayItem } from '../adapters/metricsTable';
import { COUNTER_KINDS, parseCounterName } from './counters';

/*
 * From the stored counters (`HH|kind|name` per shop-day item) to the API's chart-shaped
 * report: every day of the range, the hours that saw an ending, the range's totals, drinks,
 * modifiers and baristas ranked, and the averages. Durations are stored in ms, shown in s.
 */

const DAY_MS = 86_400_000;

const emptyBucket = (): MetricsBucket => ({
  orders: 0,
  byOutcome: { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 },
  drinks: {},
  wait: { seconds: 0, count: 0 },
  make: { seconds: 0, count: 0 },
});

const isOutcome = (name: string): name is OrderOutcome =>
  (ORDER_OUTCOMES as readonly string[]).includes(name);

/** A duration's milliseconds, kept exact while adding (shown in s at the end), and how many. */
interface Duration {
  ms: number;
  count: number;
}

interface Accumulator {
  bucket: MetricsBucket;
  wait: Duration;
  make: Duration;
}

const accumulator = (): Accumulator => ({
  bucket: emptyBucket(),
  wait: { ms: 0, count: 0 },
  make: { ms: 0, count: 0 },
});

/** The counters that add to a duration: which one, and which of its two figures. */
const DURATION_COUNTERS: Record<string, readonly ['wait' | 'make', keyof Duration]> = {
  [COUNTER_KINDS.waitMs]: ['wait', 'ms'],
  [COUNTER_KINDS.waitCount]: ['wait', 'count'],
  [COUNTER_KINDS.makeMs]: ['make', 'ms'],
  [COUNTER_KINDS.makeCount]: ['make', 'count'],
};

const addCounter = (acc: Accumulator, kind: string, name: string, amount: number) => {
  const duration = DURATION_COUNTERS[kind];
  if (duration) {
    const [which, figure] = duration;
    acc[which][figure] += amount;
  } else if (kind === COUNTER_KINDS.outcome && isOutcome(name)) {
    acc.bucket.byOutcome[name] += amount;
    acc.bucket.orders += amount;
  } else if (kind === COUNTER_KINDS.drink) {
    acc.bucket.drinks[name] = (acc.bucket.drinks[name] ?? 0) + amount;
  }
};

const seconds = (ms: number) => Math.round(ms) / 1000;

const finish = (acc: Accumulator): MetricsBucket => ({
  ...acc.bucket,
  wait: { seconds: seconds(acc.wait.ms), count: acc.wait.count },
  make: { seconds: seconds(acc.make.ms), count: acc.make.count },
});

const datesOf = (from: IsoDate, to: IsoDate): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
};

const average = (ms: number, count: number) => (count === 0 ? null : Math.round(ms / count) / 1000);

const byCountDesc = <T extends { count: number }>(a: T & { id: string }, b: T & { id: string }) =>
  b.count - a.count || a.id.localeCompare(b.id);

export const buildReport = (
  shopId: string,
  from: IsoDate,
  to: IsoDate,
  items: readonly DayItem[],
): MetricsResponse => {
  const total = accumulator();
  const days = new Map(datesOf(from, to).map((date) => [date, accumulator()]));
  const hours = new Map<string, Accumulator>();
  const modifiers = new Map<string, { group: string; option: string; count: number }>();
  const baristas = new Map<string, { completed: number; makeMs: number }>();

  for (const item of items) {
    const day = days.get(item.day);
    if (!day) continue;
    for (const [attribute, amount] of Object.entries(item.counters)) {
      const counter = parseCounterName(attribute);
      if (!counter) continue;
      const { hour: hh, kind, name } = counter;
      const hourKey = `${item.day}T${hh}`;
      const hour = hours.get(hourKey) ?? accumulator();
      hours.set(hourKey, hour);
      for (const acc of [total, day, hour]) addCounter(acc, kind, name, amount);
      if (kind === COUNTER_KINDS.modifier) {
        const [group = '', option = ''] = JSON.parse(name) as [string, string];
        const entry = modifiers.get(name) ?? { group, option, count: 0 };
        entry.count += amount;
        modifiers.set(name, entry);
      } else if (kind === COUNTER_KINDS.barista || kind === COUNTER_KINDS.baristaMakeMs) {
        const entry = baristas.get(name) ?? { completed: 0, makeMs: 0 };
        if (kind === COUNTER_KINDS.barista) entry.completed += amount;
        else entry.makeMs += amount;
        baristas.set(name, entry);
      }
    }
  }

  const totals = finish(total);
  return {
    shopId,
    from,
    to,
    timeZone: 'UTC',
    totals,
    days: [...days].map(([date, acc]) => ({ date, ...finish(acc) })),
    hours: [...hours]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([hour, acc]) => ({ hour, ...finish(acc) }))
      .filter((h) => h.orders > 0),
    drinks: Object.entries(totals.drinks)
      .map(([drinkId, count]) => ({ id: drinkId, drinkId, count }))
      .sort(byCountDesc)
      .map(({ drinkId, count }) => ({ drinkId, count })),
    modifiers: [...modifiers.values()]
      .map((m) => ({ ...m, id: `${m.group}\u0000${m.option}` }))
      .sort(byCountDesc)
      .map(({ group, option, count }) => ({ group, option, count })),
    baristas: [...baristas]
      .map(([baristaId, b]) => ({ id: baristaId, count: b.completed, ...b }))
      .sort(byCountDesc)
      .map(({ id, completed, makeMs }) => ({
        baristaId: id,
        completed,
        make: { seconds: seconds(makeMs), count: completed },
      })),
    averages: {
      waitSeconds: average(total.wait.ms, total.wait.count),
      makeSeconds: average(total.make.ms, total.make.count),
    },
  };
};
