import { expect } from 'chai';
import { aggregate, countersOf, parseCounterName } from './counters';
import type { Ending } from './endings';

const completed: Ending = {
  key: 'o1',
  shopId: 'cafe',
  at: '2026-11-25T14:05:00.000Z',
  day: '2026-11-25',
  hour: '14',
  outcome: 'COMPLETED',
  drinkId: 'latte',
  modifiers: { Milk: 'Oat', Size: 'Large' },
  baristaId: 'b1',
  waitMs: 1500,
  makeMs: 2500,
};

describe('counters', () => {
  it('names what a completed order adds, in its hour', () => {
    expect(Object.fromEntries(countersOf(completed))).to.deep.equal({
      '14|o|COMPLETED': 1,
      '14|d|latte': 1,
      '14|m|["Milk","Oat"]': 1,
      '14|m|["Size","Large"]': 1,
      '14|b|b1': 1,
      '14|bk|b1': 2500,
      '14|w|': 1500,
      '14|wn|': 1,
      '14|k|': 2500,
      '14|kn|': 1,
    });
  });

  it('counts only the outcome of an order that did not complete', () => {
    const cancelled: Ending = { ...completed, key: 'o2', outcome: 'CANCELLED', hour: '09' };
    expect(Object.fromEntries(countersOf(cancelled))).to.deep.equal({ '09|o|CANCELLED': 1 });
  });

  it('adds up a batch into one amount per counter', () => {
    const other: Ending = { ...completed, key: 'o2', drinkId: 'mocha', waitMs: 500, makeMs: 500 };
    const total = aggregate([completed, other]);
    expect(total.get('14|o|COMPLETED')).to.equal(2);
    expect(total.get('14|d|latte')).to.equal(1);
    expect(total.get('14|d|mocha')).to.equal(1);
    expect(total.get('14|w|')).to.equal(2000);
    expect(total.get('14|bk|b1')).to.equal(3000);
  });

  [
    { name: 'a counter', input: '14|d|latte', expected: { hour: '14', kind: 'd', name: 'latte' } },
    {
      name: 'a name with bars in it',
      input: '07|b|a|b',
      expected: { hour: '07', kind: 'b', name: 'a|b' },
    },
    { name: 'an empty name', input: '23|w|', expected: { hour: '23', kind: 'w', name: '' } },
    { name: 'the key', input: 'shopId', expected: undefined },
    { name: 'the markers', input: 'applied', expected: undefined },
  ].forEach((c) => {
    it(`parses ${c.name}`, () => {
      expect(parseCounterName(c.input)).to.deep.equal(c.expected);
    });
  });
});
