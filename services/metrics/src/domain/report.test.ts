import { MetricsResponseSchema } from '@espresso/schemas';
import { expect } from 'chai';
import type { DayItem } from '../adapters/metricsTable';
import { buildReport } from './report';

describe('report', () => {
  const items: DayItem[] = [
    {
      shopId: 'cafe',
      day: '2026-11-25',
      counters: {
        '09|o|COMPLETED': 2,
        '09|o|CANCELLED': 1,
        '09|d|latte': 2,
        '09|m|["Milk","Oat"]': 2,
        '09|b|b1': 2,
        '09|bk|b1': 120_500,
        '09|w|': 300_000,
        '09|wn|': 2,
        '09|k|': 120_500,
        '09|kn|': 2,
        '14|o|COMPLETED': 1,
        '14|o|REJECTED': 3,
        '14|d|mocha': 1,
        '14|b|b2': 1,
        '14|bk|b2': 60_000,
        '14|w|': 0,
        '14|wn|': 1,
        '14|k|': 60_000,
        '14|kn|': 1,
      },
    },
    { shopId: 'cafe', day: '2026-11-27', counters: { '00|o|TIMED_OUT': 1 } },
  ];

  const report = buildReport('cafe', '2026-11-25', '2026-11-27', items);

  it('answers the contract', () => {
    expect(MetricsResponseSchema.safeParse(report).success).to.equal(true);
  });

  it('lists every day of the range, zeros included, with the sums of its hours', () => {
    expect(report.days.map((d) => [d.date, d.orders])).to.deep.equal([
      ['2026-11-25', 7],
      ['2026-11-26', 0],
      ['2026-11-27', 1],
    ]);
    expect(report.days[0]?.byOutcome).to.deep.equal({
      COMPLETED: 3,
      CANCELLED: 1,
      TIMED_OUT: 0,
      REJECTED: 3,
    });
    expect(report.days[0]?.wait).to.deep.equal({ seconds: 300, count: 3 });
    expect(report.days[0]?.make).to.deep.equal({ seconds: 180.5, count: 3 });
  });

  it('lists the hours that saw an ending, in order', () => {
    expect(report.hours.map((h) => [h.hour, h.orders])).to.deep.equal([
      ['2026-11-25T09', 3],
      ['2026-11-25T14', 4],
      ['2026-11-27T00', 1],
    ]);
    expect(report.hours[0]?.drinks).to.deep.equal({ latte: 2 });
  });

  it('ranks drinks, modifiers and baristas and averages the times', () => {
    expect(report.drinks).to.deep.equal([
      { drinkId: 'latte', count: 2 },
      { drinkId: 'mocha', count: 1 },
    ]);
    expect(report.modifiers).to.deep.equal([{ group: 'Milk', option: 'Oat', count: 2 }]);
    expect(report.baristas).to.deep.equal([
      { baristaId: 'b1', completed: 2, make: { seconds: 120.5, count: 2 } },
      { baristaId: 'b2', completed: 1, make: { seconds: 60, count: 1 } },
    ]);
    expect(report.averages).to.deep.equal({ waitSeconds: 100, makeSeconds: 60.167 });
    expect(report.totals.orders).to.equal(8);
  });

  it('answers null averages when nothing was measured', () => {
    const empty = buildReport('cafe', '2026-11-25', '2026-11-25', []);
    expect(empty.averages).to.deep.equal({ waitSeconds: null, makeSeconds: null });
    expect(empty.hours).to.deep.equal([]);
    expect(empty.days).to.have.length(1);
  });
});
