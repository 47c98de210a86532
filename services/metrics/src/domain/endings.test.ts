import type { DetailInputOf } from '@espresso/schemas';
import { EVENT_EXAMPLES, metricsContract } from '@espresso/schemas/contracts';
import { expect } from 'chai';
import { body, completedDetail } from '../testing/events';
import { ENDING_READERS, parseEnding } from './endings';

describe('endings', () => {
  const at = '2026-11-25T14:05:00.000Z';
  const base = { version: 1 as const, shopId: 'cafe', customerId: 'c', at };

  [
    {
      name: 'a completed order, with its drink, barista and times',
      input: body('OrderManager.OrderCompleted', completedDetail('cafe', 'o1', at)),
      expected: {
        key: 'o1',
        shopId: 'cafe',
        at,
        day: '2026-11-25',
        hour: '14',
        outcome: 'COMPLETED',
        drinkId: 'latte',
        modifiers: { Milk: 'Oat' },
        baristaId: 'barista-1',
        waitMs: 180_000,
        makeMs: 60_000,
      },
    },
    {
      name: 'a cancelled order',
      input: body('OrderManager.OrderCancelled', {
        ...base,
        orderId: 'o2',
        reason: 'CANCELLED_BY_BARISTA',
        cancelledBy: 'b',
        previousStatus: 'IN_PROGRESS',
        drinkId: 'latte',
      }),
      expected: {
        key: 'o2',
        shopId: 'cafe',
        at,
        day: '2026-11-25',
        hour: '14',
        outcome: 'CANCELLED',
      },
    },
    {
      name: 'a timed-out order',
      input: body('OrderProcessor.OrderTimedOut', { ...base, orderId: 'o3', stage: 'BARISTA' }),
      expected: {
        key: 'o3',
        shopId: 'cafe',
        at,
        day: '2026-11-25',
        hour: '14',
        outcome: 'TIMED_OUT',
      },
    },
    {
      name: 'a rejected order',
      input: body('OrderProcessor.ShopUnavailable', { ...base, orderId: 'o4', reason: 'CLOSED' }),
      expected: {
        key: 'o4',
        shopId: 'cafe',
        at,
        day: '2026-11-25',
        hour: '14',
        outcome: 'REJECTED',
      },
    },
  ].forEach((c) => {
    it(`reads ${c.name}`, () => {
      expect(parseEnding(c.input)).to.deep.equal(c.expected);
    });
  });

  it('never counts a negative time when clocks disagree', () => {
    const detail = completedDetail('cafe', 'o5', at, { claimedAt: '2026-11-25T14:06:00.000Z' });
    expect(parseEnding(body('OrderManager.OrderCompleted', detail)).makeMs).to.equal(0);
  });

  [
    { name: 'a body that is not JSON', input: 'not json' },
    {
      name: 'a detail that fails its schema',
      input: body('OrderManager.OrderCompleted', {
        ...completedDetail('cafe', 'o6', at),
        drinkId: 'NOT A SLUG',
      }),
    },
    {
      name: 'an event that repeats an ending (OrderFinished)',
      input: body('OrderProcessor.OrderFinished', { ...base, orderId: 'o7', outcome: 'COMPLETED' }),
    },
    {
      name: 'an event from the wrong source',
      input: JSON.stringify({
        ...JSON.parse(body('OrderManager.OrderCompleted', completedDetail('cafe', 'o8', at))),
        source: 'someone.else',
      }),
    },
  ].forEach((c) => {
    it(`refuses ${c.name}`, () => {
      expect(() => parseEnding(c.input)).to.throw();
    });
  });

  describe("the consumed detail-types (the contract's `consumes`, the one declaration)", () => {
    const consumed = Object.keys(metricsContract.consumes) as (keyof typeof ENDING_READERS)[];

    it('reads exactly the detail-types the contract consumes', () => {
      expect(Object.keys(ENDING_READERS)).to.have.members(consumed);
    });

    consumed.forEach((type) => {
      it(`counts ${type} (its contract example) as an ending of its order`, () => {
        const example = EVENT_EXAMPLES[type] as DetailInputOf<typeof type>;
        const ending = parseEnding(body(type, example));

        expect(ending.key).to.equal(example.orderId);
        expect(ending.shopId).to.equal(example.shopId);
      });
    });
  });
});
