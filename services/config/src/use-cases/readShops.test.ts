import { HttpError } from '@espresso/runtime';
import { PublicShopConfigSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { type Caller, callers, fakePorts, storedShop, T0 } from './fakePorts.test';
import { getPublicShopConfig, listShops } from './readShops';

/** The error `promise` rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
};

describe('readShops', () => {
  const sandbox = sinon.createSandbox();

  afterEach(() => {
    sandbox.restore();
  });

  describe('getPublicShopConfig', () => {
    it('answers what a customer needs of the shop, nothing more', async () => {
      const shop = storedShop('cafe', {
        version: 4,
        open: true,
        limits: {
          ordersPerCode: 10,
          codeTtlSeconds: 300,
          maxOpenOrders: 20,
          maxOrdersPerCustomerPerDay: 2,
        },
        timeouts: { customerSeconds: 120, baristaSeconds: 900 },
      });
      const { ports } = fakePorts(shop);

      const config = await getPublicShopConfig(ports, 'cafe');

      expect(PublicShopConfigSchema.parse(config)).to.deep.equal(config);
      expect(config).to.deep.equal({
        shopId: 'cafe',
        name: shop.name,
        open: true,
        menu: shop.menu,
        limits: { maxOrdersPerCustomerPerDay: 2 },
        timeouts: { customerSeconds: 120 },
        updatedAt: T0,
      });
    });

    it('answers a closed shop too (the phone shows it closed)', async () => {
      const { ports } = fakePorts(storedShop('cafe', { open: false }));

      expect((await getPublicShopConfig(ports, 'cafe')).open).to.equal(false);
    });

    it('answers NOT_FOUND for a shop that does not exist', async () => {
      const { ports } = fakePorts(storedShop('other'));

      const error = await rejectionOf(getPublicShopConfig(ports, 'cafe'));

      expect(error).to.be.instanceOf(HttpError);
      expect(error).to.include({ code: 'NOT_FOUND', status: 404 });
    });
  });

  describe('listShops', () => {
    const shops = () => fakePorts(storedShop('zeta'), storedShop('cafe'), storedShop('other'));

    (
      [
        { name: 'refuses a customer', input: 'customer', expected: 'forbidden' },
        { name: 'refuses the shop display', input: 'display', expected: 'forbidden' },
        { name: 'refuses a barista of the shop', input: 'barista', expected: 'forbidden' },
        { name: 'lists only the shop of a shop admin', input: 'admin', expected: ['cafe'] },
        {
          name: 'lists only their own shop to an admin of another shop',
          input: 'adminOfOtherShop',
          expected: ['other'],
        },
        {
          name: 'lists every shop, sorted, to an admin of every shop',
          input: 'adminOfEveryShop',
          expected: ['cafe', 'other', 'zeta'],
        },
      ] satisfies { name: string; input: Caller; expected: 'forbidden' | string[] }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, table } = shops();
        const list = sandbox.spy(table, 'list');

        if (c.expected === 'forbidden') {
          const error = await rejectionOf(listShops(ports, callers[c.input]));
          expect(error).to.be.instanceOf(HttpError);
          expect(error).to.include({ code: 'FORBIDDEN', status: 403 });
          expect(list.called, 'read the table').to.equal(false);
        } else {
          const result = await listShops(ports, callers[c.input]);
          expect(result.map((s) => s.shopId)).to.deep.equal(c.expected);
        }
      });
    });

    it('lists nothing to an admin whose shop does not exist yet', async () => {
      const { ports } = fakePorts(storedShop('zeta'));

      expect(await listShops(ports, callers.admin)).to.deep.equal([]);
    });

    it('lists summaries: id, name, open flag and update time', async () => {
      const { ports } = fakePorts(storedShop('cafe', { name: 'Corner', open: true }));

      expect(await listShops(ports, callers.admin)).to.deep.equal([
        { shopId: 'cafe', name: 'Corner', open: true, updatedAt: T0 },
      ]);
    });
  });
});
