import { expect } from 'chai';
import { describe, it } from 'mocha';
import type * as z from 'zod';
import { describeZodError } from './errors';
import {
  DrinkSchema,
  MenuSchema,
  ModifierGroupSchema,
  PublicShopConfigSchema,
  PutShopConfigBodySchema,
  PutShopOpenBodySchema,
  ShopConfigSchema,
  ShopLimitsSchema,
  ShopListSchema,
  ShopPathSchema,
  ShopSummarySchema,
  ShopTimeoutsSchema,
  toPublicShopConfig,
} from './shop';

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
const milk = { name: 'Milk', options: ['Regular', 'Oat'] };
const latte = {
  drinkId: 'latte',
  name: 'Latte',
  icon: 'barista-icons_latte',
  available: true,
  modifiers: [milk],
};
const espresso = { drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true };
const config = {
  shopId: 'cafe',
  name: 'Café',
  open: true,
  menu: [latte, { ...espresso, modifiers: [] }],
  limits: {
    ordersPerCode: 10,
    codeTtlSeconds: 300,
    maxOpenOrders: 20,
    maxOrdersPerCustomerPerDay: 3,
  },
  timeouts: { customerSeconds: 300, baristaSeconds: 900 },
  version: 4,
  createdAt: T0,
  updatedAt: '2024-05-02T09:00:00.000Z',
};

describe('shop', () => {
  describe('ModifierGroupSchema', () => {
    table(ModifierGroupSchema, [
      { name: 'accepts a group with options', input: milk, expected: 'valid' },
      {
        name: 'accepts a single option',
        input: { name: 'Shots', options: ['Double'] },
        expected: 'valid',
      },
      {
        name: 'rejects a group without options',
        input: { name: 'Milk', options: [] },
        expected: 'options',
      },
      {
        name: 'rejects duplicate options',
        input: { name: 'Milk', options: ['Oat', 'Oat'] },
        expected: 'options',
      },
      {
        name: 'rejects a blank option',
        input: { name: 'Milk', options: ['Oat', ' '] },
        expected: 'options.1',
      },
      {
        name: 'rejects 21 options',
        input: { name: 'Syrup', options: Array.from({ length: 21 }, (_, i) => `s${i}`) },
        expected: 'options',
      },
      { name: 'rejects a blank name', input: { name: '', options: ['Oat'] }, expected: 'name' },
      {
        name: 'rejects the reference spelling Options',
        input: { name: 'Milk', Options: ['Oat'], options: ['Oat'] },
        expected: 'Options',
      },
    ]);

    it('trims names and options', () => {
      expect(ModifierGroupSchema.parse({ name: ' Milk ', options: [' Oat'] })).to.deep.equal({
        name: 'Milk',
        options: ['Oat'],
      });
    });
  });

  describe('DrinkSchema', () => {
    table(DrinkSchema, [
      { name: 'accepts a drink with modifiers', input: latte, expected: 'valid' },
      { name: 'accepts a drink without modifiers', input: espresso, expected: 'valid' },
      {
        name: 'accepts an icon with @ and .',
        input: { ...espresso, icon: 'barista-icons_flat-white-alternative@2x' },
        expected: 'valid',
      },
      {
        name: 'rejects an icon with a slash',
        input: { ...espresso, icon: '../x' },
        expected: 'icon',
      },
      {
        name: 'rejects a drinkId that is not a slug',
        input: { ...espresso, drinkId: 'Flat White' },
        expected: 'drinkId',
      },
      {
        name: 'rejects a missing available flag',
        input: { drinkId: 'x', name: 'X', icon: 'x' },
        expected: 'available',
      },
      {
        name: 'rejects available as a string',
        input: { ...espresso, available: 'true' },
        expected: 'available',
      },
      {
        name: 'rejects two groups with the same name',
        input: { ...latte, modifiers: [milk, milk] },
        expected: 'modifiers',
      },
      {
        name: 'rejects 11 modifier groups',
        input: {
          ...latte,
          modifiers: Array.from({ length: 11 }, (_, i) => ({ name: `g${i}`, options: ['a'] })),
        },
        expected: 'modifiers',
      },
      { name: 'rejects an unknown key', input: { ...espresso, price: 3 }, expected: 'price' },
    ]);

    it('defaults modifiers to none', () => {
      expect(DrinkSchema.parse(espresso).modifiers).to.deep.equal([]);
    });
  });

  describe('MenuSchema', () => {
    table(MenuSchema, [
      { name: 'accepts distinct drinks', input: [latte, espresso], expected: 'valid' },
      { name: 'rejects an empty menu', input: [], expected: '(body)' },
      {
        name: 'rejects two drinks with one drinkId',
        input: [latte, { ...latte, name: 'Latte 2' }],
        expected: '(body)',
      },
      {
        name: 'rejects 51 drinks',
        input: Array.from({ length: 51 }, (_, i) => ({ ...espresso, drinkId: `d${i}` })),
        expected: '(body)',
      },
      {
        name: 'rejects a menu whose JSON would not fit in one event (50 drinks × 10 groups × 20 long options)',
        input: Array.from({ length: 50 }, (_, i) => ({
          ...espresso,
          drinkId: `d${i}`,
          modifiers: Array.from({ length: 10 }, (_, g) => ({
            name: `Group ${g}`,
            options: Array.from({ length: 20 }, (_, o) => `option ${o} ${'x'.repeat(28)}`),
          })),
        })),
        expected: '(body)',
      },
      {
        name: 'accepts a large but reasonable menu (40 drinks × 3 groups × 5 options)',
        input: Array.from({ length: 40 }, (_, i) => ({
          ...espresso,
          drinkId: `d${i}`,
          modifiers: Array.from({ length: 3 }, (_, g) => ({
            name: `Group ${g}`,
            options: Array.from({ length: 5 }, (_, o) => `Option ${o}`),
          })),
        })),
        expected: 'valid',
      },
      {
        name: 'names the bad drink by index',
        input: [latte, { ...espresso, icon: '' }],
        expected: '1.icon',
      },
    ]);
  });

  describe('ShopLimitsSchema', () => {
    table(ShopLimitsSchema, [
      { name: 'accepts an empty object (all defaults)', input: {}, expected: 'valid' },
      {
        name: 'accepts the lowest values',
        input: {
          ordersPerCode: 1,
          codeTtlSeconds: 30,
          maxOpenOrders: 1,
          maxOrdersPerCustomerPerDay: 1,
        },
        expected: 'valid',
      },
      {
        name: 'rejects zero orders per code',
        input: { ordersPerCode: 0 },
        expected: 'ordersPerCode',
      },
      {
        name: 'rejects a code ttl under 30 seconds',
        input: { codeTtlSeconds: 29 },
        expected: 'codeTtlSeconds',
      },
      {
        name: 'rejects a fractional capacity',
        input: { maxOpenOrders: 2.5 },
        expected: 'maxOpenOrders',
      },
      {
        name: 'rejects more than 100 orders per customer per day',
        input: { maxOrdersPerCustomerPerDay: 101 },
        expected: 'maxOrdersPerCustomerPerDay',
      },
      {
        name: 'rejects a number given as a string',
        input: { maxOpenOrders: '20' },
        expected: 'maxOpenOrders',
      },
      { name: 'rejects an unknown limit', input: { maxQueue: 5 }, expected: 'maxQueue' },
    ]);

    it('fills the defaults', () => {
      expect(ShopLimitsSchema.parse({})).to.deep.equal({
        ordersPerCode: 10,
        codeTtlSeconds: 300,
        maxOpenOrders: 20,
        maxOrdersPerCustomerPerDay: 3,
      });
    });
  });

  describe('ShopTimeoutsSchema', () => {
    table(ShopTimeoutsSchema, [
      {
        name: 'accepts short timeouts for tests',
        input: { customerSeconds: 5, baristaSeconds: 5 },
        expected: 'valid',
      },
      {
        name: 'rejects a customer timeout under 5 seconds',
        input: { customerSeconds: 4 },
        expected: 'customerSeconds',
      },
      {
        name: 'rejects a customer timeout over an hour',
        input: { customerSeconds: 3601 },
        expected: 'customerSeconds',
      },
      {
        name: 'rejects a barista timeout over two hours',
        input: { baristaSeconds: 7201 },
        expected: 'baristaSeconds',
      },
    ]);

    it('defaults to 300 s for the customer and 900 s for the barista', () => {
      expect(ShopTimeoutsSchema.parse({})).to.deep.equal({
        customerSeconds: 300,
        baristaSeconds: 900,
      });
    });
  });

  describe('PutShopConfigBodySchema', () => {
    const body = { name: 'Café', open: false, menu: [latte] };
    table(PutShopConfigBodySchema, [
      { name: 'accepts name, open and menu alone', input: body, expected: 'valid' },
      {
        name: 'accepts partial limits',
        input: { ...body, limits: { maxOpenOrders: 5 } },
        expected: 'valid',
      },
      {
        name: 'rejects a missing open flag',
        input: { name: 'Café', menu: [latte] },
        expected: 'open',
      },
      { name: 'rejects a blank name', input: { ...body, name: '  ' }, expected: 'name' },
      {
        name: 'rejects a shopId in the body (the path names the shop)',
        input: { ...body, shopId: 'cafe' },
        expected: 'shopId',
      },
      {
        name: 'rejects a bad nested limit by its path',
        input: { ...body, limits: { maxOpenOrders: 0 } },
        expected: 'limits.maxOpenOrders',
      },
    ]);

    it('fills limits and timeouts with the defaults', () => {
      const parsed = PutShopConfigBodySchema.parse(body);
      expect(parsed.limits).to.deep.equal(ShopLimitsSchema.parse({}));
      expect(parsed.timeouts).to.deep.equal(ShopTimeoutsSchema.parse({}));
    });
  });

  describe('ShopConfigSchema', () => {
    table(ShopConfigSchema, [
      { name: 'accepts a whole config', input: config, expected: 'valid' },
      { name: 'rejects version 0', input: { ...config, version: 0 }, expected: 'version' },
      {
        name: 'rejects missing limits',
        input: { ...config, limits: undefined },
        expected: 'limits',
      },
      {
        name: 'rejects a timestamp without milliseconds',
        input: { ...config, updatedAt: '2024-05-02T09:00:00Z' },
        expected: 'updatedAt',
      },
      { name: 'rejects a bad shopId', input: { ...config, shopId: 'Cafe' }, expected: 'shopId' },
      {
        name: 'rejects a reference-only field',
        input: { ...config, requester: 'Bob' },
        expected: 'requester',
      },
    ]);
  });

  describe('PublicShopConfigSchema and toPublicShopConfig', () => {
    const shop = ShopConfigSchema.parse(config);
    const view = toPublicShopConfig(shop);

    it('keeps only what a customer needs', () => {
      expect(view).to.deep.equal({
        shopId: 'cafe',
        name: 'Café',
        open: true,
        menu: shop.menu,
        limits: { maxOrdersPerCustomerPerDay: 3 },
        timeouts: { customerSeconds: 300 },
        updatedAt: '2024-05-02T09:00:00.000Z',
      });
    });

    table(PublicShopConfigSchema, [
      { name: 'accepts the public view', input: view, expected: 'valid' },
      {
        name: 'rejects the admin-only version',
        input: { ...view, version: 4 },
        expected: 'version',
      },
      {
        name: 'rejects the capacity limit',
        input: { ...view, limits: { ...view.limits, maxOpenOrders: 20 } },
        expected: 'limits.maxOpenOrders',
      },
      {
        name: 'rejects the barista timeout',
        input: { ...view, timeouts: { ...view.timeouts, baristaSeconds: 900 } },
        expected: 'timeouts.baristaSeconds',
      },
      { name: 'rejects an empty menu', input: { ...view, menu: [] }, expected: 'menu' },
    ]);
  });

  describe('PutShopOpenBodySchema', () => {
    table(PutShopOpenBodySchema, [
      { name: 'accepts open true', input: { open: true }, expected: 'valid' },
      { name: 'accepts open false', input: { open: false }, expected: 'valid' },
      {
        name: 'rejects the string "open" (the reference read it as a flag)',
        input: { open: 'open' },
        expected: 'open',
      },
      { name: 'rejects a missing flag', input: {}, expected: 'open' },
      { name: 'rejects an extra key', input: { open: true, shopId: 'cafe' }, expected: 'shopId' },
    ]);
  });

  describe('ShopSummarySchema and ShopListSchema', () => {
    const summary = { shopId: 'cafe', name: 'Café', open: true, updatedAt: T0 };
    table(ShopSummarySchema, [
      { name: 'accepts a summary', input: summary, expected: 'valid' },
      { name: 'rejects the menu in a summary', input: { ...summary, menu: [] }, expected: 'menu' },
      {
        name: 'rejects a missing open flag',
        input: { ...summary, open: undefined },
        expected: 'open',
      },
    ]);
    table(ShopListSchema, [
      { name: 'accepts an empty list', input: { shops: [] }, expected: 'valid' },
      {
        name: 'names the bad summary by index',
        input: { shops: [summary, { ...summary, shopId: '' }] },
        expected: 'shops.1.shopId',
      },
      { name: 'rejects a bare array', input: [summary], expected: '(body)' },
    ]);
  });

  describe('ShopPathSchema', () => {
    table(ShopPathSchema, [
      { name: 'accepts a slug', input: { shopId: 'cafe' }, expected: 'valid' },
      {
        name: 'accepts other path parameters beside it',
        input: { shopId: 'cafe', orderId: 'o1' },
        expected: 'valid',
      },
      { name: 'rejects a missing shopId', input: {}, expected: 'shopId' },
      {
        name: 'rejects a key-injection attempt',
        input: { shopId: 'cafe#ORDER' },
        expected: 'shopId',
      },
    ]);
  });
});
