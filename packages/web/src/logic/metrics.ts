import {
  type DurationTotal,
  type Menu,
  type MetricsBucket,
  type MetricsResponse,
  ORDER_OUTCOMES,
  type OrderOutcome,
} from '@espresso/schemas';
import { drinkName } from './queue';

/*
 * The dashboard's pure part: the metrics API's answer turned into chart specs, each with the
 * table and the sentence that describe the same numbers to someone who cannot see the chart.
 * Days and hours are UTC, as the API counts them.
 */

/** Today's date in UTC (`YYYY-MM-DD`): the metrics' days are UTC days. */
export const todayUtc = (nowMs: number): string => new Date(nowMs).toISOString().slice(0, 10);

/** Average seconds of a duration total, or null when nothing was measured. */
export const averageSeconds = (total: DurationTotal): number | null =>
  total.count > 0 ? total.seconds / total.count : null;

/** `45 s`, `2 min 05 s`; `—` when there is nothing to show. */
export const formatSeconds = (seconds: number | null): string => {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
};

export const OUTCOME_WORDS: Record<OrderOutcome, string> = {
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
  TIMED_OUT: 'Timed out',
  REJECTED: 'Rejected',
};

export const OUTCOME_COLOURS: Record<OrderOutcome, string> = {
  COMPLETED: '#2e7d32',
  CANCELLED: '#757575',
  TIMED_OUT: '#ef6c00',
  REJECTED: '#c62828',
};

/** One chart: what Chart.js draws, and the same numbers as a table and a sentence. */
export interface ChartSpec {
  title: string;
  labels: string[];
  datasets: { label: string; data: number[]; colour: string }[];
  stacked: boolean;
  horizontal: boolean;
  /** The value axis' unit, e.g. `orders`, `seconds`. */
  unit: string;
  table: { head: string[]; rows: string[][] };
  /** A text alternative of the chart (its `aria-label`). */
  summary: string;
}

const EMPTY_BUCKET: MetricsBucket = {
  orders: 0,
  byOutcome: { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 },
  drinks: {},
  wait: { seconds: 0, count: 0 },
  make: { seconds: 0, count: 0 },
};

const HOUR_MS = 3_600_000;

/**
 * Every hour from the first to the last one with an ending (zeros between, so the bars keep
 * their places), labelled `14:00` within one day and `11-25 14:00` across days.
 */
export const hourBuckets = (
  metrics: Pick<MetricsResponse, 'from' | 'to' | 'hours'>,
): { label: string; hour: string; bucket: MetricsBucket }[] => {
  const first = metrics.hours[0];
  const last = metrics.hours.at(-1);
  if (!first || !last) return [];
  const known = new Map(metrics.hours.map((h) => [h.hour, h]));
  const oneDay = metrics.from === metrics.to;
  const out: { label: string; hour: string; bucket: MetricsBucket }[] = [];
  const end = Date.parse(`${last.hour}:00:00Z`);
  for (let t = Date.parse(`${first.hour}:00:00Z`); t <= end; t += HOUR_MS) {
    const hour = new Date(t).toISOString().slice(0, 13);
    const time = `${hour.slice(11, 13)}:00`;
    out.push({
      hour,
      label: oneDay ? time : `${hour.slice(5, 10)} ${time}`,
      bucket: known.get(hour) ?? EMPTY_BUCKET,
    });
  }
  return out;
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const rangeWords = (metrics: Pick<MetricsResponse, 'from' | 'to'>) =>
  metrics.from === metrics.to ? `on ${metrics.from}` : `from ${metrics.from} to ${metrics.to}`;

/** Orders per hour, stacked by how they ended. */
export const ordersChart = (metrics: MetricsResponse): ChartSpec => {
  const hours = hourBuckets(metrics);
  const { totals } = metrics;
  const parts = ORDER_OUTCOMES.filter((o) => totals.byOutcome[o] > 0).map(
    (o) => `${totals.byOutcome[o]} ${OUTCOME_WORDS[o].toLowerCase()}`,
  );
  return {
    title: 'Orders per hour by outcome (UTC)',
    labels: hours.map((h) => h.label),
    datasets: ORDER_OUTCOMES.map((o) => ({
      label: OUTCOME_WORDS[o],
      data: hours.map((h) => h.bucket.byOutcome[o]),
      colour: OUTCOME_COLOURS[o],
    })),
    stacked: true,
    horizontal: false,
    unit: 'orders',
    table: {
      head: ['Hour (UTC)', ...ORDER_OUTCOMES.map((o) => OUTCOME_WORDS[o]), 'All'],
      rows: hours.map((h) => [
        h.label,
        ...ORDER_OUTCOMES.map((o) => String(h.bucket.byOutcome[o])),
        String(h.bucket.orders),
      ]),
    },
    summary:
      totals.orders === 0
        ? `Orders per hour: no order ended ${rangeWords(metrics)}.`
        : `Orders per hour: ${plural(totals.orders, 'order')} ended ${rangeWords(metrics)} (${parts.join(', ')}) over ${plural(hours.length, 'hour')}.`,
  };
};

/** Completed drinks, most first, named from the menu when it knows them. */
export const drinksChart = (metrics: MetricsResponse, menu: Menu | undefined): ChartSpec => {
  const names = metrics.drinks.map((d) => drinkName(menu, d.drinkId));
  const counts = metrics.drinks.map((d) => d.count);
  return {
    title: 'Drinks completed',
    labels: names,
    datasets: [{ label: 'Completed', data: counts, colour: '#6d4c41' }],
    stacked: false,
    horizontal: true,
    unit: 'drinks',
    table: {
      head: ['Drink', 'Completed'],
      rows: names.map((name, i) => [name, String(counts[i] ?? 0)]),
    },
    summary:
      names.length === 0
        ? `Drinks completed: none ${rangeWords(metrics)}.`
        : `Drinks completed ${rangeWords(metrics)}: ${names.map((n, i) => `${n} ${counts[i]}`).join(', ')}.`,
  };
};

const rounded = (seconds: number | null) => (seconds === null ? 0 : Math.round(seconds));

/** Average wait (placed → claimed) and make (claimed → completed) time per hour, in seconds. */
export const timesChart = (metrics: MetricsResponse): ChartSpec => {
  const hours = hourBuckets(metrics);
  const wait = hours.map((h) => averageSeconds(h.bucket.wait));
  const make = hours.map((h) => averageSeconds(h.bucket.make));
  const { waitSeconds, makeSeconds } = metrics.averages;
  return {
    title: 'Average wait and make time per hour (UTC)',
    labels: hours.map((h) => h.label),
    datasets: [
      { label: 'Wait (placed → claimed)', data: wait.map(rounded), colour: '#1565c0' },
      { label: 'Make (claimed → completed)', data: make.map(rounded), colour: '#8d6e63' },
    ],
    stacked: false,
    horizontal: false,
    unit: 'seconds',
    table: {
      head: ['Hour (UTC)', 'Average wait', 'Average make'],
      rows: hours.map((h, i) => [
        h.label,
        formatSeconds(wait[i] ?? null),
        formatSeconds(make[i] ?? null),
      ]),
    },
    summary:
      waitSeconds === null && makeSeconds === null
        ? `Wait and make times: nothing completed ${rangeWords(metrics)}.`
        : `Average wait ${formatSeconds(waitSeconds)} and make ${formatSeconds(makeSeconds)} ${rangeWords(metrics)}.`,
  };
};

/** Event types after which the shop's counters change (once the metrics consumer ran). */
const ENDINGS = new Set([
  'OrderManager.OrderCompleted',
  'OrderManager.OrderCancelled',
  'OrderProcessor.OrderTimedOut',
  'OrderProcessor.OrderFinished',
]);

export const endsAnOrder = (type: string): boolean => ENDINGS.has(type);
