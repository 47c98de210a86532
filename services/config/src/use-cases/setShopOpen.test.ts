import { HttpError } from '@espresso/runtime';
import { PublicShopConfigSchema, toPublicShopConfig } from '@espresso/schemas';
import { expect } from 'chai';
import { afterEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { type Caller, callers, fakePorts, storedShop, T0 } from './fakePorts.test';
import { setShopOpen } from './setShopOpen';

/** The error `promise` rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
};

const NOW = '2026-11-24T08:00:00.000Z';

describe('setShopOpen', () => {
  const sandbox = sinon.createSandbox();

  afterEach(() => {
    sandbox.restore();
  });

  describe('who may open or close a shop', () => {
    (
      [
        { name: 'refuses a customer', input: 'customer', expected: 'forbidden' },
        { name: 'refuses the shop display', input: 'display', expected: 'forbidden' },
        {
          name: 'refuses a barista of another shop',
          input: 'baristaOfOtherShop',
          expected: 'forbidden',
        },
        {
          name: 'refuses an admin of another shop',
          input: 'adminOfOtherShop',
          expected: 'forbidden',
        },
        { name: 'lets a barista of the shop open it', input: 'barista', expected: 'opened' },
        { name: 'lets an admin of the shop open it', input: 'admin', expected: 'opened' },
        {
          name: 'lets an admin of every shop open it',
          input: 'adminOfEveryShop',
          expected: 'opened',
        },
      ] satisfies { name: string; input: Caller; expected: 'forbidden' | 'opened' }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, table, bus } = fakePorts(storedShop('cafe', { open: false }));
        const setOpen = sandbox.spy(table, 'setOpen');
        const request = { identity: callers[c.input], shopId: 'cafe', open: true };

        if (c.expected === 'opened') {
          expect((await setShopOpen(ports, request)).open).to.equal(true);
          expect(table.stored('cafe')?.open).to.equal(true);
          expect(bus.details).to.have.length(1);
        } else {
          const error = await rejectionOf(setShopOpen(ports, request));
          expect(error).to.be.instanceOf(HttpError);
          expect(error).to.include({ code: 'FORBIDDEN', status: 403 });
          expect(setOpen.called, 'wrote the table').to.equal(false);
          expect(table.stored('cafe')?.open).to.equal(false);
          expect(bus.details).to.deep.equal([]);
        }
      });
    });
  });

  [
    {
      name: 'opens a closed shop: next version, stamped now, OPENED emitted',
      input: { from: false, to: true },
      expected: 'OPENED',
    },
    {
      name: 'closes an open shop: next version, stamped now, CLOSED emitted',
      input: { from: true, to: false },
      expected: 'CLOSED',
    },
    {
      name: 'opens an already open shop again as a new version, OPENED emitted',
      input: { from: true, to: true },
      expected: 'OPENED',
    },
  ].forEach((c) => {
    it(c.name, async () => {
      const { ports, table, bus } = fakePorts(
        storedShop('cafe', { open: c.input.from, version: 7 }),
      );

      const result = await setShopOpen(ports, {
        identity: callers.barista,
        shopId: 'cafe',
        open: c.input.to,
      });

      const stored = table.stored('cafe');
      expect(stored).to.include({ open: c.input.to, version: 8, updatedAt: NOW, createdAt: T0 });
      expect(result).to.deep.equal(stored && toPublicShopConfig(stored));
      expect(bus.parsedDetails()).to.deep.equal([
        {
          version: 1,
          shopId: 'cafe',
          at: NOW,
          change: c.expected,
          open: c.input.to,
          configVersion: 8,
          config: result,
        },
      ]);
    });
  });

  it('answers with the public view only, never the version or the creation time', async () => {
    const { ports } = fakePorts(storedShop('cafe'));

    const result = await setShopOpen(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      open: true,
    });

    expect(PublicShopConfigSchema.parse(result)).to.deep.equal(result);
    expect(result).not.to.have.any.keys('version', 'createdAt');
  });

  it('answers NOT_FOUND for a shop that does not exist and emits nothing', async () => {
    const { ports, table, bus } = fakePorts(storedShop('other'));

    const error = await rejectionOf(
      setShopOpen(ports, { identity: callers.adminOfEveryShop, shopId: 'cafe', open: true }),
    );

    expect(error).to.be.instanceOf(HttpError);
    expect(error).to.include({ code: 'NOT_FOUND', status: 404 });
    expect(table.stored('cafe')).to.equal(undefined);
    expect(bus.details).to.deep.equal([]);
  });
});
