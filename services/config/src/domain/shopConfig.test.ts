import { PutShopConfigBodySchema, type ShopConfig, ShopConfigSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { applyConfig, changeOf, type ShopConfigInput } from './shopConfig';

const CREATED_AT = '2026-11-01T09:00:00.000Z';
const NOW = '2026-11-24T08:00:00.000Z';

const input = (overrides: Partial<ShopConfigInput> = {}): ShopConfigInput => ({
  ...PutShopConfigBodySchema.parse({
    name: 'Corner Cafe',
    open: false,
    menu: [
      {
        drinkId: 'latte',
        name: 'Latte',
        icon: 'latte',
        available: true,
        modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
      },
    ],
  }),
  ...overrides,
});

const stored = (overrides: Partial<ShopConfig> = {}): ShopConfig =>
  ShopConfigSchema.parse({
    shopId: 'cafe',
    ...input(),
    version: 3,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    ...overrides,
  });

describe('shopConfig domain', () => {
  describe('applyConfig', () => {
    [
      {
        name: 'makes a new shop version 1, created and updated now',
        input: { existing: undefined, input: input() },
        expected: { version: 1, createdAt: NOW, updatedAt: NOW },
      },
      {
        name: 'makes a replaced shop the next version and keeps its creation time',
        input: { existing: stored({ version: 3 }), input: input({ name: 'Renamed' }) },
        expected: { version: 4, createdAt: CREATED_AT, updatedAt: NOW },
      },
    ].forEach((c) => {
      it(c.name, () => {
        const config = applyConfig(c.input.existing, 'cafe', c.input.input, NOW);

        expect(config).to.deep.equal({
          shopId: 'cafe',
          name: c.input.input.name,
          open: c.input.input.open,
          menu: c.input.input.menu,
          limits: c.input.input.limits,
          timeouts: c.input.input.timeouts,
          ...c.expected,
        });
        expect(ShopConfigSchema.safeParse(config).success).to.equal(true);
      });
    });

    it('takes the shop id from its argument, not from the existing item', () => {
      expect(applyConfig(stored(), 'other', input(), NOW).shopId).to.equal('other');
    });

    it('replaces the whole config: nothing of the existing one but its creation time is kept', () => {
      const existing = stored({
        name: 'Old',
        open: true,
        limits: {
          ordersPerCode: 99,
          codeTtlSeconds: 60,
          maxOpenOrders: 5,
          maxOrdersPerCustomerPerDay: 9,
        },
      });

      const config = applyConfig(existing, 'cafe', input({ name: 'New', open: false }), NOW);

      expect(config).to.include({ name: 'New', open: false });
      expect(config.limits).to.deep.equal(input().limits);
    });
  });

  describe('changeOf', () => {
    const before = stored({ open: false, version: 3 });
    const bump = { version: 4, updatedAt: NOW };

    [
      {
        name: 'a shop without a previous config is CREATED',
        input: { before: undefined, after: stored({ version: 1 }) },
        expected: 'CREATED',
      },
      {
        name: 'opening and nothing else is OPENED',
        input: { before, after: { ...before, ...bump, open: true } },
        expected: 'OPENED',
      },
      {
        name: 'closing and nothing else is CLOSED',
        input: {
          before: { ...before, open: true },
          after: { ...before, ...bump, open: false },
        },
        expected: 'CLOSED',
      },
      {
        name: 'opening while renaming is UPDATED',
        input: { before, after: { ...before, ...bump, open: true, name: 'Renamed' } },
        expected: 'UPDATED',
      },
      {
        name: 'opening while changing a limit is UPDATED',
        input: {
          before,
          after: {
            ...before,
            ...bump,
            open: true,
            limits: { ...before.limits, maxOpenOrders: 1 },
          },
        },
        expected: 'UPDATED',
      },
      {
        name: 'a menu change with the flag unchanged is UPDATED',
        input: {
          before,
          after: {
            ...before,
            ...bump,
            menu: [{ ...(before.menu[0] as ShopConfig['menu'][number]), available: false }],
          },
        },
        expected: 'UPDATED',
      },
      {
        name: 'a save that changes nothing but the version is UPDATED',
        input: { before, after: { ...before, ...bump } },
        expected: 'UPDATED',
      },
      {
        name: 'a different creation time does not hide an open-only change',
        input: { before, after: { ...before, ...bump, open: true, createdAt: NOW } },
        expected: 'OPENED',
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(changeOf(c.input.before, c.input.after)).to.equal(c.expected);
      });
    });
  });
});
