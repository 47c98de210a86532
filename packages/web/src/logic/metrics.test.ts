import type { MetricsBucket, MetricsResponse } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  averageSeconds,
  drinksChart,
  endsAnOrder,
  formatSeconds,
  hourBuckets,
  ordersChart,
  timesChart,
  todayUtc,
} from './metrics';

const bucket = (over: Partial<MetricsBucket> = {}): MetricsBucket => ({
  orders: 0,
  byOutcome: { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 },
  drinks: {},
  wait: { seconds: 0, count: 0 },
  make: { seconds: 0, count: 0 },
  ...over,
});

const metrics = (over: Partial<MetricsResponse> = {}): MetricsResponse => ({
  shopId: 'demo',
  from: '2026-11-25',
  to: '2026-11-25',
  timeZone: 'UTC',
  totals: bucket({
    orders: 3,
    byOutcome: { COMPLETED: 2, CANCELLED: 1, TIMED_OUT: 0, REJECTED: 0 },
    drinks: { latte: 2 },
    wait: { seconds: 90, count: 2 },
    make: { seconds: 150, count: 2 },
  }),
  days: [],
  hours: [
    {
      hour: '2026-11-25T09',
      ...bucket({
        orders: 1,
        byOutcome: { COMPLETED: 1, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 },
        wait: { seconds: 30, count: 1 },
        make: { seconds: 65, count: 1 },
      }),
    },
    {
      hour: '2026-11-25T11',
      ...bucket({
        orders: 2,
        byOutcome: { COMPLETED: 1, CANCELLED: 1, TIMED_OUT: 0, REJECTED: 0 },
        wait: { seconds: 60, count: 1 },
        make: { seconds: 85, count: 1 },
      }),
    },
  ],
  drinks: [
    { drinkId: 'latte', count: 2 },
    { drinkId: 'mystery', count: 1 },
  ],
  modifiers: [],
  baristas: [],
  averages: { waitSeconds: 45, makeSeconds: 75 },
  ...over,
});

describe('dashboard metrics', () => {
  it('takes today as a UTC day', () => {
    expect(todayUtc(Date.parse('2026-11-25T23:30:00-02:00'))).to.equal('2026-11-26');
  });

  it('averages and formats durations', () => {
    expect(averageSeconds({ seconds: 90, count: 2 })).to.equal(45);
    expect(averageSeconds({ seconds: 0, count: 0 })).to.equal(null);
    expect(formatSeconds(null)).to.equal('—');
    expect(formatSeconds(44.6)).to.equal('45 s');
    expect(formatSeconds(125)).to.equal('2 min 05 s');
  });

  it('fills the hours between the first and the last ending with zeros', () => {
    const hours = hourBuckets(metrics());
    expect(hours.map((h) => h.label)).to.deep.equal(['09:00', '10:00', '11:00']);
    expect(hours.map((h) => h.bucket.orders)).to.deep.equal([1, 0, 2]);
    expect(hourBuckets(metrics({ hours: [] }))).to.deep.equal([]);
  });

  it('labels hours with their day across a range of days, over midnight', () => {
    const m = metrics({
      to: '2026-11-26',
      hours: [
        { hour: '2026-11-25T23', ...bucket({ orders: 1 }) },
        { hour: '2026-11-26T01', ...bucket({ orders: 1 }) },
      ],
    });
    expect(hourBuckets(m).map((h) => h.label)).to.deep.equal([
      '11-25 23:00',
      '11-26 00:00',
      '11-26 01:00',
    ]);
  });

  it('stacks orders per hour by outcome, with a table and a sentence of the same numbers', () => {
    const spec = ordersChart(metrics());
    expect(spec.stacked).to.equal(true);
    expect(spec.labels).to.deep.equal(['09:00', '10:00', '11:00']);
    expect(spec.datasets.map((d) => [d.label, d.data])).to.deep.equal([
      ['Completed', [1, 0, 1]],
      ['Cancelled', [0, 0, 1]],
      ['Timed out', [0, 0, 0]],
      ['Rejected', [0, 0, 0]],
    ]);
    expect(spec.table.head).to.deep.equal([
      'Hour (UTC)',
      'Completed',
      'Cancelled',
      'Timed out',
      'Rejected',
      'All',
    ]);
    expect(spec.table.rows[2]).to.deep.equal(['11:00', '1', '1', '0', '0', '2']);
    expect(spec.summary).to.equal(
      'Orders per hour: 3 orders ended on 2026-11-25 (2 completed, 1 cancelled) over 3 hours.',
    );
    expect(ordersChart(metrics({ totals: bucket(), hours: [] })).summary).to.equal(
      'Orders per hour: no order ended on 2026-11-25.',
    );
  });

  it('names drinks from the menu and keeps unknown ids', () => {
    const menu = [
      { drinkId: 'latte', name: 'Latte', icon: 'latte', available: true, modifiers: [] },
    ] as unknown as Parameters<typeof drinksChart>[1];
    const spec = drinksChart(metrics(), menu);
    expect(spec.horizontal).to.equal(true);
    expect(spec.labels).to.deep.equal(['Latte', 'mystery']);
    expect(spec.table.rows).to.deep.equal([
      ['Latte', '2'],
      ['mystery', '1'],
    ]);
    expect(spec.summary).to.equal('Drinks completed on 2026-11-25: Latte 2, mystery 1.');
  });

  it('shows average wait and make per hour in seconds, empty hours as zero and "—"', () => {
    const spec = timesChart(metrics());
    expect(spec.datasets.map((d) => d.data)).to.deep.equal([
      [30, 0, 60],
      [65, 0, 85],
    ]);
    expect(spec.table.rows[1]).to.deep.equal(['10:00', '—', '—']);
    expect(spec.table.rows[0]).to.deep.equal(['09:00', '30 s', '1 min 05 s']);
    expect(spec.summary).to.equal('Average wait 45 s and make 1 min 15 s on 2026-11-25.');
  });

  it('re-reads after the events that end an order only', () => {
    expect(endsAnOrder('OrderManager.OrderCompleted')).to.equal(true);
    expect(endsAnOrder('OrderProcessor.OrderTimedOut')).to.equal(true);
    expect(endsAnOrder('OrderManager.OrderClaimed')).to.equal(false);
  });
});
