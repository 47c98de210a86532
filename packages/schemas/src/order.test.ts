import { expect } from 'chai';
import { describe, it } from 'mocha';
import type * as z from 'zod';
import { describeZodError } from './errors';
import {
  allowedPreviousStatuses,
  canTransition,
  isTerminalStatus,
  ModifierChoiceSchema,
  NewOrderBodySchema,
  NewOrderResponseSchema,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type Order,
  OrderHistoryResponseSchema,
  OrderIdSchema,
  type OrderItem,
  OrderItemSchema,
  OrderNumberSchema,
  OrderPathSchema,
  OrderReasonSchema,
  OrderSchema,
  OrderStatusSchema,
  PutOrderBodySchema,
  QrCodeResponseSchema,
  QrCodeSchema,
  QueueResponseSchema,
  REASON_STATUS,
  TaskTokenSchema,
  TERMINAL_STATUSES,
  toOrderDto,
  UserIdSchema,
  validateSelection,
} from './order';
import { type Drink, DrinkSchema } from './shop';

/** `valid`, or the field the first issue names. */
const fieldOf = (schema: z.ZodType, input: unknown): string => {
  const result = schema.safeParse(input);
  return result.success ? 'valid' : describeZodError(result.error).field;
};

type Case = { name: string; input: unknown; expected: string };
const table = (schema: z.ZodType, cases: Case[]) =>
  cases.forEach((c) => {
    it(c.name, () => {
      expect(fieldOf(schema, c.input)).to.equal(c.expected);
    });
  });

const T0 = '2024-05-01T09:00:00.000Z';
const T1 = '2024-05-01T09:01:00.000Z';
const T2 = '2024-05-01T09:03:00.000Z';
const T3 = '2024-05-01T09:06:00.000Z';

const awaiting: Order = {
  orderId: 'V1StGXR8_Z5jdHi6B-myT',
  shopId: 'cafe',
  status: 'AWAITING_SELECTION',
  customerId: 'customer-sub',
  createdAt: T0,
  updatedAt: T0,
};
const completed: Order = {
  ...awaiting,
  status: 'COMPLETED',
  orderNumber: 12,
  drinkId: 'latte',
  modifiers: { Milk: 'Oat' },
  baristaId: 'barista-sub',
  updatedAt: T3,
};
/** The stored item of an order; its keys as the orders adapter lays them out (orderKeys.ts). */
const itemOf = (order: Order, extra: Partial<OrderItem> = {}): OrderItem => {
  const o = { ...order, ...extra };
  return {
    ...o,
    pk: `SHOP#${o.shopId}`,
    sk: `ORDER#${o.orderId}`,
    gsi1pk: `SHOP#${o.shopId}#STATUS#${o.status}`,
    gsi1sk: `${o.submittedAt ?? o.createdAt}#${o.orderId}`,
    gsi2pk: `CUSTOMER#${o.customerId}`,
    gsi2sk: `${o.createdAt}#${o.orderId}`,
  };
};

describe('order', () => {
  describe('OrderStatusSchema', () => {
    it('has the seven statuses in journey order', () => {
      expect(OrderStatusSchema.options).to.deep.equal([
        'AWAITING_SELECTION',
        'QUEUED',
        'IN_PROGRESS',
        'COMPLETED',
        'CANCELLED',
        'TIMED_OUT',
        'REJECTED',
      ]);
      expect(ORDER_STATUSES).to.deep.equal(OrderStatusSchema.options);
    });

    table(OrderStatusSchema, [
      { name: 'accepts QUEUED', input: 'QUEUED', expected: 'valid' },
      { name: 'rejects the reference status CREATED', input: 'CREATED', expected: '(body)' },
      { name: 'rejects a shop-prefixed status', input: 'cafe-COMPLETED', expected: '(body)' },
      { name: 'rejects mixed case', input: 'Completed', expected: '(body)' },
    ]);
  });

  describe('transitions', () => {
    /** Written out independently of ORDER_TRANSITIONS: the allowed pairs, nothing else. */
    const allowed = new Set([
      'AWAITING_SELECTION>QUEUED',
      'AWAITING_SELECTION>CANCELLED',
      'AWAITING_SELECTION>TIMED_OUT',
      'AWAITING_SELECTION>REJECTED',
      'QUEUED>IN_PROGRESS',
      'QUEUED>CANCELLED',
      'QUEUED>TIMED_OUT',
      'IN_PROGRESS>QUEUED',
      'IN_PROGRESS>COMPLETED',
      'IN_PROGRESS>CANCELLED',
      'IN_PROGRESS>TIMED_OUT',
    ]);
    const statuses = OrderStatusSchema.options;
    const pairs = statuses.flatMap((from) =>
      statuses.map((to) => ({ from, to, expected: allowed.has(`${from}>${to}`) })),
    );

    it('covers every ordered pair of statuses', () => {
      expect(pairs).to.have.length(49);
    });

    pairs.forEach((c) => {
      it(`${c.expected ? 'allows' : 'denies'} ${c.from} -> ${c.to}`, () => {
        expect(canTransition(c.from, c.to)).to.equal(c.expected);
        expect(ORDER_TRANSITIONS[c.from].includes(c.to)).to.equal(c.expected);
      });
    });

    [
      { to: 'AWAITING_SELECTION', expected: [] },
      { to: 'QUEUED', expected: ['AWAITING_SELECTION', 'IN_PROGRESS'] },
      { to: 'IN_PROGRESS', expected: ['QUEUED'] },
      { to: 'COMPLETED', expected: ['IN_PROGRESS'] },
      { to: 'CANCELLED', expected: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'] },
      { to: 'TIMED_OUT', expected: ['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS'] },
      { to: 'REJECTED', expected: ['AWAITING_SELECTION'] },
    ].forEach((c) => {
      it(`reaches ${c.to} only from ${c.expected.join(', ') || 'nothing'}`, () => {
        expect(allowedPreviousStatuses(OrderStatusSchema.parse(c.to))).to.deep.equal(c.expected);
      });
    });

    statuses.forEach((status) => {
      const terminal = ['COMPLETED', 'CANCELLED', 'TIMED_OUT', 'REJECTED'].includes(status);
      it(`${terminal ? 'treats' : 'does not treat'} ${status} as terminal, and it ${terminal ? 'leads nowhere' : 'leads somewhere'}`, () => {
        expect(isTerminalStatus(status)).to.equal(terminal);
        expect(TERMINAL_STATUSES.includes(status as (typeof TERMINAL_STATUSES)[number])).to.equal(
          terminal,
        );
        expect(ORDER_TRANSITIONS[status].length === 0).to.equal(terminal);
      });
    });

    it('cannot be changed at run time', () => {
      expect(Object.isFrozen(ORDER_TRANSITIONS)).to.equal(true);
      expect(Object.isFrozen(ORDER_TRANSITIONS.QUEUED)).to.equal(true);
      expect(Object.isFrozen(TERMINAL_STATUSES)).to.equal(true);
    });
  });

  describe('OrderIdSchema', () => {
    table(OrderIdSchema, [
      { name: 'accepts a nanoid', input: 'V1StGXR8_Z5jdHi6B-myT', expected: 'valid' },
      { name: 'accepts a UUID', input: '9b2f8c1e-0f4a-4c7e-9a51-3f0d2b6c7a10', expected: 'valid' },
      { name: 'accepts 64 characters', input: 'a'.repeat(64), expected: 'valid' },
      { name: 'rejects 65 characters', input: 'a'.repeat(65), expected: '(body)' },
      { name: 'rejects an empty id', input: '', expected: '(body)' },
      { name: 'rejects a key separator', input: 'abc#ORDER', expected: '(body)' },
      { name: 'rejects a slash', input: 'a/b', expected: '(body)' },
      { name: 'rejects a number', input: 42, expected: '(body)' },
    ]);
  });

  describe('UserIdSchema, OrderNumberSchema, TaskTokenSchema', () => {
    table(UserIdSchema, [
      {
        name: 'accepts a Cognito sub',
        input: '4f1c2a9e-7d33-4b21-8a3c-2f4e5d6c7b8a',
        expected: 'valid',
      },
      { name: 'rejects an empty user id', input: '', expected: '(body)' },
      { name: 'rejects a user id over 128 characters', input: 'u'.repeat(129), expected: '(body)' },
    ]);
    table(OrderNumberSchema, [
      { name: 'accepts 1', input: 1, expected: 'valid' },
      { name: 'rejects 0', input: 0, expected: '(body)' },
      { name: 'rejects a fraction', input: 1.5, expected: '(body)' },
      { name: 'rejects the DynamoDB string form "112"', input: '112', expected: '(body)' },
    ]);
    table(TaskTokenSchema, [
      { name: 'accepts an opaque token', input: 'AQCEAAAAKgAAAAMAAAAA', expected: 'valid' },
      { name: 'rejects an empty token', input: '', expected: '(body)' },
      { name: 'rejects a token over 2048 characters', input: 't'.repeat(2049), expected: '(body)' },
    ]);
  });

  describe('QrCodeSchema', () => {
    table(QrCodeSchema, [
      { name: 'accepts a nanoid code', input: 'Xk3_9a-QzP', expected: 'valid' },
      {
        name: 'accepts a typed code with surrounding spaces',
        input: '  Xk3_9a-QzP ',
        expected: 'valid',
      },
      { name: 'rejects only spaces', input: '   ', expected: '(body)' },
      { name: 'rejects inner spaces', input: 'Xk3 9a', expected: '(body)' },
      { name: 'rejects 65 characters', input: 'c'.repeat(65), expected: '(body)' },
    ]);

    it('trims a typed code', () => {
      expect(QrCodeSchema.parse(' abc123 ')).to.equal('abc123');
    });
  });

  describe('ModifierChoiceSchema', () => {
    table(ModifierChoiceSchema, [
      {
        name: 'accepts one option per group',
        input: { Milk: 'Oat', Size: 'Large' },
        expected: 'valid',
      },
      { name: 'accepts no modifiers', input: {}, expected: 'valid' },
      {
        name: 'rejects a list of options (the reference form)',
        input: ['Oat'],
        expected: '(body)',
      },
      {
        name: 'rejects several options for one group',
        input: { Milk: ['Oat', 'Regular'] },
        expected: 'Milk',
      },
      { name: 'rejects an empty option', input: { Milk: '' }, expected: 'Milk' },
      { name: 'rejects an empty group name, naming it', input: { '': 'Oat' }, expected: '' },
      {
        name: 'rejects a group name over 40 characters, naming it',
        input: { ['g'.repeat(41)]: 'x' },
        expected: 'g'.repeat(41),
      },
      {
        name: 'rejects an option over 40 characters',
        input: { Milk: 'o'.repeat(41) },
        expected: 'Milk',
      },
      {
        name: 'rejects 11 groups',
        input: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`g${i}`, 'x'])),
        expected: '(body)',
      },
    ]);

    it('cannot replace the prototype through a __proto__ key', () => {
      const parsed = ModifierChoiceSchema.parse(
        JSON.parse('{"__proto__": {"polluted": "yes"}, "Milk": "Oat"}'),
      );
      expect(Object.getPrototypeOf(parsed)).to.equal(Object.prototype);
      expect(Object.keys(parsed)).to.deep.equal(['Milk']);
    });
  });

  describe('OrderReasonSchema and REASON_STATUS', () => {
    [
      { reason: 'CLOSED', status: 'REJECTED' },
      { reason: 'AT_CAPACITY', status: 'REJECTED' },
      { reason: 'CUSTOMER_TIMEOUT', status: 'TIMED_OUT' },
      { reason: 'BARISTA_TIMEOUT', status: 'TIMED_OUT' },
      { reason: 'CANCELLED_BY_CUSTOMER', status: 'CANCELLED' },
      { reason: 'CANCELLED_BY_BARISTA', status: 'CANCELLED' },
    ].forEach((c) => {
      it(`explains ${c.status} with ${c.reason}`, () => {
        expect(REASON_STATUS[OrderReasonSchema.parse(c.reason)]).to.equal(c.status);
      });
    });

    it('has a status for every reason and no other', () => {
      expect(Object.keys(REASON_STATUS)).to.have.members(OrderReasonSchema.options);
    });

    it('rejects the reference free-text cause', () => {
      expect(OrderReasonSchema.safeParse('Customer timedout').success).to.equal(false);
    });
  });

  describe('OrderSchema', () => {
    table(OrderSchema, [
      { name: 'accepts a new order awaiting the selection', input: awaiting, expected: 'valid' },
      { name: 'accepts a completed order', input: completed, expected: 'valid' },
      {
        name: 'accepts a queued order before its number is drawn',
        input: { ...awaiting, status: 'QUEUED', drinkId: 'latte', modifiers: {} },
        expected: 'valid',
      },
      {
        name: 'accepts a rejected order with its reason',
        input: { ...awaiting, status: 'REJECTED', reason: 'AT_CAPACITY' },
        expected: 'valid',
      },
      {
        name: 'accepts a barista timeout of a claimed order',
        input: { ...completed, status: 'TIMED_OUT', reason: 'BARISTA_TIMEOUT' },
        expected: 'valid',
      },
      {
        name: 'accepts a cancelled order without a drink',
        input: { ...awaiting, status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' },
        expected: 'valid',
      },
      {
        name: 'rejects a reason that does not fit the status',
        input: { ...awaiting, status: 'CANCELLED', reason: 'CLOSED' },
        expected: 'reason',
      },
      {
        name: 'rejects a reason on an order still running',
        input: { ...awaiting, reason: 'CUSTOMER_TIMEOUT' },
        expected: 'reason',
      },
      {
        name: 'rejects a reason on a completed order',
        input: { ...completed, reason: 'CANCELLED_BY_BARISTA' },
        expected: 'reason',
      },
      {
        name: 'rejects a queued order without a drink',
        input: { ...awaiting, status: 'QUEUED' },
        expected: 'drinkId',
      },
      {
        name: 'rejects an order in progress without a barista',
        input: { ...completed, status: 'IN_PROGRESS', baristaId: undefined },
        expected: 'baristaId',
      },
      {
        name: 'rejects a completed order without a barista',
        input: { ...completed, baristaId: undefined },
        expected: 'baristaId',
      },
      {
        name: 'rejects an unknown status',
        input: { ...awaiting, status: 'CREATED' },
        expected: 'status',
      },
      {
        name: 'rejects the order number as a string',
        input: { ...completed, orderNumber: '12' },
        expected: 'orderNumber',
      },
      {
        name: 'rejects a missing customer',
        input: { ...awaiting, customerId: undefined },
        expected: 'customerId',
      },
      {
        name: 'rejects a timestamp in epoch milliseconds',
        input: { ...awaiting, createdAt: 1714554000000 },
        expected: 'createdAt',
      },
      {
        name: 'rejects the modifiers as a JSON string',
        input: { ...completed, modifiers: '{"Milk":"Oat"}' },
        expected: 'modifiers',
      },
      { name: 'rejects a bad shopId', input: { ...awaiting, shopId: 'Café' }, expected: 'shopId' },
    ]);

    it('drops fields it does not know, so clients survive additions', () => {
      expect(OrderSchema.parse({ ...awaiting, etaSeconds: 30 })).to.deep.equal(awaiting);
    });
  });

  describe('OrderItemSchema', () => {
    const stored = itemOf(completed, {
      customerTaskToken: 'token-1',
      baristaTaskToken: 'token-2',
      submittedAt: T1,
      claimedAt: T2,
      finishedAt: T3,
      slot: 'RELEASED',
    });
    table(OrderItemSchema, [
      { name: 'accepts a new item with its keys', input: itemOf(awaiting), expected: 'valid' },
      {
        name: 'accepts a finished item with tokens and timestamps',
        input: stored,
        expected: 'valid',
      },
      { name: 'rejects an item without keys', input: awaiting, expected: 'pk' },
      {
        name: 'rejects an empty task token',
        input: { ...stored, baristaTaskToken: '' },
        expected: 'baristaTaskToken',
      },
      {
        name: 'rejects a slot state other than HELD or RELEASED',
        input: { ...stored, slot: 'TAKEN' },
        expected: 'slot',
      },
      {
        name: 'rejects a claim time without milliseconds',
        input: { ...stored, claimedAt: '2024-05-01T09:03:00Z' },
        expected: 'claimedAt',
      },
      {
        name: 'applies the order rules to items too',
        input: itemOf({ ...completed, reason: 'CLOSED' }),
        expected: 'reason',
      },
    ]);

    it('drops attributes it does not know', () => {
      const parsed = OrderItemSchema.parse({ ...itemOf(awaiting), ttl: 1714554000 });
      expect(parsed).to.not.have.property('ttl');
    });

    describe('toOrderDto', () => {
      it('keeps the order fields', () => {
        expect(toOrderDto(OrderItemSchema.parse(stored))).to.deep.equal(completed);
      });

      it('leaves out keys, task tokens and internal timestamps', () => {
        const dto = toOrderDto(OrderItemSchema.parse(stored));
        for (const key of [
          'pk',
          'sk',
          'gsi1pk',
          'gsi1sk',
          'gsi2pk',
          'gsi2sk',
          'customerTaskToken',
          'baristaTaskToken',
          'submittedAt',
          'claimedAt',
          'finishedAt',
          'slot',
        ]) {
          expect(dto, key).to.not.have.property(key);
        }
      });

      it('writes no undefined fields for an order that has none', () => {
        expect(Object.keys(toOrderDto(itemOf(awaiting)))).to.deep.equal([
          'orderId',
          'shopId',
          'status',
          'customerId',
          'createdAt',
          'updatedAt',
        ]);
      });

      it('gives a DTO the order schema accepts', () => {
        const dto = toOrderDto(
          itemOf({ ...awaiting, status: 'TIMED_OUT', reason: 'CUSTOMER_TIMEOUT' }),
        );
        expect(OrderSchema.parse(dto)).to.deep.equal(dto);
      });

      it('copies the modifiers rather than sharing them with the item', () => {
        const item = itemOf(completed);
        expect(toOrderDto(item).modifiers).to.not.equal(item.modifiers);
      });
    });
  });

  describe('OrderPathSchema', () => {
    table(OrderPathSchema, [
      {
        name: 'accepts a shop and an order id',
        input: { shopId: 'cafe', orderId: 'abc_123' },
        expected: 'valid',
      },
      { name: 'rejects a missing order id', input: { shopId: 'cafe' }, expected: 'orderId' },
      {
        name: 'rejects an order id with a key separator',
        input: { shopId: 'cafe', orderId: 'a#b' },
        expected: 'orderId',
      },
    ]);
  });

  describe('NewOrderBodySchema', () => {
    table(NewOrderBodySchema, [
      { name: 'accepts a code', input: { qrCode: 'Xk3_9a-QzP' }, expected: 'valid' },
      { name: 'rejects a missing code', input: {}, expected: 'qrCode' },
      {
        name: 'rejects a client-supplied user id',
        input: { qrCode: 'Xk3_9a-QzP', userId: 'someone-else' },
        expected: 'userId',
      },
      {
        name: 'rejects a client-supplied shop id',
        input: { qrCode: 'Xk3_9a-QzP', shopId: 'cafe' },
        expected: 'shopId',
      },
      { name: 'rejects a code that is not a string', input: { qrCode: 12345 }, expected: 'qrCode' },
    ]);
  });

  describe('NewOrderResponseSchema', () => {
    table(NewOrderResponseSchema, [
      {
        name: 'accepts an order id and status',
        input: { orderId: 'abc', status: 'AWAITING_SELECTION' },
        expected: 'valid',
      },
      { name: 'rejects a missing status', input: { orderId: 'abc' }, expected: 'status' },
      {
        name: 'rejects a missing order id',
        input: { status: 'AWAITING_SELECTION' },
        expected: 'orderId',
      },
    ]);
  });

  describe('PutOrderBodySchema', () => {
    table(PutOrderBodySchema, [
      {
        name: 'accepts a drink and its modifiers',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
        expected: 'valid',
      },
      {
        name: 'accepts a drink without modifiers',
        input: { drinkId: 'espresso' },
        expected: 'valid',
      },
      { name: 'rejects a missing drink', input: { modifiers: {} }, expected: 'drinkId' },
      {
        name: 'rejects the reference body with a drink name',
        input: { drink: 'Latte', modifiers: [], icon: 'x' },
        expected: 'drinkId',
      },
      {
        name: 'rejects modifiers as a list',
        input: { drinkId: 'latte', modifiers: ['Oat'] },
        expected: 'modifiers',
      },
      {
        name: 'rejects an option that is not a string, naming the group',
        input: { drinkId: 'latte', modifiers: { Milk: true } },
        expected: 'modifiers.Milk',
      },
      {
        name: 'rejects a client-supplied user id',
        input: { drinkId: 'latte', userId: 'u' },
        expected: 'userId',
      },
      {
        name: 'rejects a drink id that is not a slug',
        input: { drinkId: 'Flat White' },
        expected: 'drinkId',
      },
      {
        name: 'rejects an empty group name as modifiers.',
        input: { drinkId: 'latte', modifiers: { '': 'Oat' } },
        expected: 'modifiers.',
      },
    ]);

    it('says what is wrong with a group name', () => {
      const result = PutOrderBodySchema.safeParse({
        drinkId: 'latte',
        modifiers: { ['g'.repeat(41)]: 'x' },
      });
      expect(result.success).to.equal(false);
      if (!result.success) {
        expect(describeZodError(result.error).message).to.equal(
          `modifiers.${'g'.repeat(41)}: modifier group names have 1 to 40 characters`,
        );
      }
    });

    it('defaults the modifiers to none', () => {
      expect(PutOrderBodySchema.parse({ drinkId: 'espresso' })).to.deep.equal({
        drinkId: 'espresso',
        modifiers: {},
      });
    });
  });

  describe('QueueResponseSchema', () => {
    const queued: Order = {
      ...awaiting,
      status: 'QUEUED',
      drinkId: 'latte',
      modifiers: { Milk: 'Oat' },
      orderNumber: 13,
    };
    const inProgress: Order = { ...completed, status: 'IN_PROGRESS' };
    table(QueueResponseSchema, [
      {
        name: 'accepts three empty lists',
        input: { queued: [], inProgress: [], ready: [] },
        expected: 'valid',
      },
      {
        name: 'accepts each list with its status',
        input: { queued: [queued], inProgress: [inProgress], ready: [completed] },
        expected: 'valid',
      },
      {
        name: 'rejects a completed order among the queued',
        input: { queued: [queued, completed], inProgress: [], ready: [] },
        expected: 'queued.1.status',
      },
      {
        name: 'rejects a queued order among the ready',
        input: { queued: [], inProgress: [], ready: [queued] },
        expected: 'ready.0.status',
      },
      { name: 'rejects a missing list', input: { queued: [], inProgress: [] }, expected: 'ready' },
      {
        name: 'rejects an invalid order in a list',
        input: { queued: [{ ...queued, drinkId: undefined }], inProgress: [], ready: [] },
        expected: 'queued.0.drinkId',
      },
    ]);
  });

  describe('OrderHistoryResponseSchema', () => {
    table(OrderHistoryResponseSchema, [
      {
        name: 'accepts a page of orders',
        input: { orders: [completed, awaiting] },
        expected: 'valid',
      },
      {
        name: 'accepts a next-page token',
        input: { orders: [], nextToken: 'eyJrIjoxfQ' },
        expected: 'valid',
      },
      {
        name: 'rejects a bare array (the reference shape)',
        input: [completed],
        expected: '(body)',
      },
      {
        name: 'rejects the legacy result wrapper',
        input: { result: [completed] },
        expected: 'orders',
      },
      {
        name: 'rejects an empty next-page token',
        input: { orders: [], nextToken: '' },
        expected: 'nextToken',
      },
    ]);
  });

  describe('QrCodeResponseSchema', () => {
    const qr = { code: 'Xk3_9a-QzP', expiresAt: T1, remaining: 10 };
    table(QrCodeResponseSchema, [
      { name: 'accepts a code with its expiry and remaining orders', input: qr, expected: 'valid' },
      { name: 'accepts a used-up code', input: { ...qr, remaining: 0 }, expected: 'valid' },
      {
        name: 'rejects a negative remaining count',
        input: { ...qr, remaining: -1 },
        expected: 'remaining',
      },
      {
        name: 'rejects the expiry in epoch milliseconds',
        input: { ...qr, expiresAt: 1714554060000 },
        expected: 'expiresAt',
      },
      { name: 'rejects a missing code', input: { expiresAt: T1, remaining: 1 }, expected: 'code' },
    ]);
  });

  describe('validateSelection', () => {
    const menu: Drink[] = [
      DrinkSchema.parse({
        drinkId: 'latte',
        name: 'Latte',
        icon: 'latte',
        available: true,
        modifiers: [
          { name: 'Milk', options: ['Regular', 'Oat'] },
          { name: 'Size', options: ['Small', 'Large'] },
        ],
      }),
      DrinkSchema.parse({
        drinkId: 'espresso',
        name: 'Espresso',
        icon: 'espresso',
        available: true,
      }),
      DrinkSchema.parse({
        drinkId: 'cappuccino',
        name: 'Cappuccino',
        icon: 'cappuccino',
        available: false,
      }),
    ];
    type SelectionCase = {
      name: string;
      input: { drinkId: string; modifiers?: Record<string, string> };
      expected: { ok: true } | { ok: false; field: string; message: string };
    };
    const cases: SelectionCase[] = [
      {
        name: 'accepts one valid option for every group',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Large' } },
        expected: { ok: true },
      },
      {
        name: 'accepts a drink without groups and no modifiers',
        input: { drinkId: 'espresso', modifiers: {} },
        expected: { ok: true },
      },
      {
        name: 'accepts a drink without groups when modifiers are left out',
        input: { drinkId: 'espresso' },
        expected: { ok: true },
      },
      {
        name: 'rejects a drink not on the menu',
        input: { drinkId: 'mocha', modifiers: {} },
        expected: { ok: false, field: 'drinkId', message: 'drinkId: mocha is not on the menu' },
      },
      {
        name: 'rejects a drink that is not available',
        input: { drinkId: 'cappuccino', modifiers: {} },
        expected: { ok: false, field: 'drinkId', message: 'drinkId: Cappuccino is not available' },
      },
      {
        name: 'rejects a missing group',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
        expected: {
          ok: false,
          field: 'modifiers.Size',
          message: 'modifiers.Size: choose one of Small, Large',
        },
      },
      {
        name: 'rejects an option the group does not have',
        input: { drinkId: 'latte', modifiers: { Milk: 'Soy', Size: 'Small' } },
        expected: {
          ok: false,
          field: 'modifiers.Milk',
          message: 'modifiers.Milk: Soy is not one of Regular, Oat',
        },
      },
      {
        name: 'rejects an option with another case',
        input: { drinkId: 'latte', modifiers: { Milk: 'oat', Size: 'Small' } },
        expected: {
          ok: false,
          field: 'modifiers.Milk',
          message: 'modifiers.Milk: oat is not one of Regular, Oat',
        },
      },
      {
        name: 'rejects an unknown group on a drink with groups',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Small', Syrup: 'Vanilla' } },
        expected: {
          ok: false,
          field: 'modifiers.Syrup',
          message: 'modifiers.Syrup: Latte has no modifier group Syrup',
        },
      },
      {
        name: 'rejects any group on a drink without groups',
        input: { drinkId: 'espresso', modifiers: { Milk: 'Oat' } },
        expected: {
          ok: false,
          field: 'modifiers.Milk',
          message: 'modifiers.Milk: Espresso has no modifier group Milk',
        },
      },
      {
        name: 'rejects a group name inherited from Object.prototype',
        input: { drinkId: 'espresso', modifiers: { toString: 'x' } },
        expected: {
          ok: false,
          field: 'modifiers.toString',
          message: 'modifiers.toString: Espresso has no modifier group toString',
        },
      },
      {
        name: 'rejects an empty option for a group',
        input: { drinkId: 'latte', modifiers: { Milk: '', Size: 'Small' } },
        expected: {
          ok: false,
          field: 'modifiers.Milk',
          message: 'modifiers.Milk:  is not one of Regular, Oat',
        },
      },
    ];
    cases.forEach((c) => {
      it(c.name, () => {
        const result = validateSelection(menu, c.input);
        if (result.ok) {
          expect({ ok: true }).to.deep.equal(c.expected);
          expect(result.drink.drinkId).to.equal(c.input.drinkId);
        } else {
          expect(result).to.deep.equal(c.expected);
        }
      });
    });

    it('rejects every drink against an empty menu', () => {
      expect(validateSelection([], { drinkId: 'latte', modifiers: {} })).to.include({
        ok: false,
        field: 'drinkId',
      });
    });
  });
});
