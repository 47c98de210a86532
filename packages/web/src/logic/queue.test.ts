import type { Menu, ModifierChoice, Order, QueueResponse } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { defaultModifiers, displayBoard, drinkName, groupQueue, modifiersText } from './queue';

const at = (minute: number) => `2026-11-25T10:${String(minute).padStart(2, '0')}:00.000Z`;
const order = (fields: Partial<Order> & Pick<Order, 'orderId' | 'status'>): Order => ({
  shopId: 'demo',
  customerId: 'c1',
  createdAt: at(0),
  updatedAt: at(0),
  drinkId: 'latte',
  ...fields,
});

const queue: QueueResponse = {
  queued: [
    order({ orderId: 'q2', status: 'QUEUED', orderNumber: 12 }),
    order({ orderId: 'q1', status: 'QUEUED', orderNumber: 11 }),
  ],
  inProgress: [
    order({ orderId: 'p2', status: 'IN_PROGRESS', orderNumber: 9, baristaId: 'other' }),
    order({ orderId: 'p1', status: 'IN_PROGRESS', orderNumber: 10, baristaId: 'me' }),
    order({ orderId: 'p0', status: 'IN_PROGRESS', orderNumber: 8, baristaId: 'me' }),
  ],
  ready: [
    order({
      orderId: 'r1',
      status: 'COMPLETED',
      orderNumber: 5,
      baristaId: 'me',
      updatedAt: at(3),
    }),
    order({
      orderId: 'r2',
      status: 'COMPLETED',
      orderNumber: 6,
      baristaId: 'me',
      updatedAt: at(7),
    }),
  ],
};

const menu: Menu = [
  {
    drinkId: 'latte',
    name: 'Caffè Latte',
    icon: 'latte',
    available: true,
    modifiers: [
      { name: 'Size', options: ['Small', 'Large'] },
      { name: 'Milk', options: ['Regular', 'Oat'] },
    ],
  },
  { drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true, modifiers: [] },
];

describe('queue grouping', () => {
  it('splits in-progress orders into mine and others, each by order number', () => {
    const columns = groupQueue(queue, 'me');
    expect(columns.queued.map((o) => o.orderId)).to.deep.equal(['q1', 'q2']);
    expect(columns.mine.map((o) => o.orderId)).to.deep.equal(['p0', 'p1']);
    expect(columns.others.map((o) => o.orderId)).to.deep.equal(['p2']);
    expect(columns.ready.map((o) => o.orderId)).to.deep.equal(['r2', 'r1']);
  });

  it('gives the display its waiting, being made and ready numbers', () => {
    expect(displayBoard(queue)).to.deep.equal({
      waiting: [11, 12],
      making: [8, 9, 10],
      ready: [6, 5],
    });
    expect(displayBoard(queue, 1).ready).to.deep.equal([6]);
  });

  it('leaves orders without a number off the display', () => {
    const board = displayBoard({ ...queue, queued: [order({ orderId: 'x', status: 'QUEUED' })] });
    expect(board.waiting).to.deep.equal([]);
  });

  (
    [
      {
        name: 'joins the chosen options',
        modifiers: { Size: 'Large', Milk: 'Oat' },
        expected: 'Large · Oat',
      },
      {
        name: 'leaves out None',
        modifiers: { Milk: 'None', Syrup: 'Vanilla' },
        expected: 'Vanilla',
      },
      { name: 'is empty without modifiers', modifiers: undefined, expected: '' },
    ] as { name: string; modifiers: ModifierChoice | undefined; expected: string }[]
  ).forEach((c) => {
    it(`modifier text ${c.name}`, () => {
      expect(modifiersText(c.modifiers)).to.equal(c.expected);
    });
  });

  it('names a drink from the menu, or by its id when it left the menu', () => {
    expect(drinkName(menu, 'latte')).to.equal('Caffè Latte');
    expect(drinkName(menu, 'mocha')).to.equal('mocha');
    expect(drinkName(undefined, 'latte')).to.equal('latte');
  });

  it('starts a selection with the first option of every group', () => {
    expect(defaultModifiers(menu, 'latte')).to.deep.equal({ Size: 'Small', Milk: 'Regular' });
    expect(defaultModifiers(menu, 'espresso')).to.deep.equal({});
  });
});
