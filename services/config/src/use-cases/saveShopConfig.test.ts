import { HttpError, logger } from '@espresso/runtime';
import { ShopConfigSchema, toPublicShopConfig } from '@espresso/schemas';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  type Caller,
  callers,
  fakePorts,
  type InMemoryShopsTable,
  shopInput,
  storedShop,
  T0,
} from './fakePorts.test';
import { saveShopConfig } from './saveShopConfig';

/** The error `promise` rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
};

/** Another admin writes the shop (or creates it) each time, just before our write. */
const concurrentWriter = (table: InMemoryShopsTable, times: number) => {
  let left = times;
  table.beforePut = () => {
    if (left-- <= 0) return;
    const current = table.stored('cafe');
    table.overwrite(
      storedShop('cafe', {
        name: 'Their Cafe',
        version: (current?.version ?? 0) + 1,
        createdAt: current?.createdAt ?? T0,
      }),
    );
  };
};

describe('saveShopConfig', () => {
  const sandbox = sinon.createSandbox();

  beforeEach(() => {
    sandbox.stub(logger, 'warn');
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('who may save a config', () => {
    (
      [
        { name: 'refuses a customer', input: 'customer', expected: 'forbidden' },
        { name: 'refuses the shop display', input: 'display', expected: 'forbidden' },
        { name: 'refuses a barista of the shop', input: 'barista', expected: 'forbidden' },
        {
          name: 'refuses an admin of another shop',
          input: 'adminOfOtherShop',
          expected: 'forbidden',
        },
        { name: 'lets an admin of the shop save', input: 'admin', expected: 'saved' },
        { name: 'lets an admin of every shop save', input: 'adminOfEveryShop', expected: 'saved' },
      ] satisfies { name: string; input: Caller; expected: 'forbidden' | 'saved' }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, table, bus } = fakePorts();
        const get = sandbox.spy(table, 'get');
        const request = { identity: callers[c.input], shopId: 'cafe', input: shopInput() };

        if (c.expected === 'saved') {
          const result = await saveShopConfig(ports, request);
          expect(result.config.shopId).to.equal('cafe');
          expect(table.stored('cafe')).to.deep.equal(result.config);
          expect(bus.details).to.have.length(1);
        } else {
          const error = await rejectionOf(saveShopConfig(ports, request));
          expect(error).to.be.instanceOf(HttpError);
          expect(error).to.include({ code: 'FORBIDDEN', status: 403 });
          expect(get.called, 'read the table').to.equal(false);
          expect(table.stored('cafe')).to.equal(undefined);
          expect(bus.details).to.deep.equal([]);
        }
      });
    });
  });

  it('creates a new shop as version 1, says it was created and emits CREATED', async () => {
    const { ports, table, bus } = fakePorts();

    const result = await saveShopConfig(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      input: shopInput({ open: true }),
    });

    expect(result.created).to.equal(true);
    expect(ShopConfigSchema.parse(result.config)).to.deep.equal(result.config);
    expect(result.config).to.include({
      shopId: 'cafe',
      version: 1,
      open: true,
      createdAt: '2026-11-24T08:00:00.000Z',
      updatedAt: '2026-11-24T08:00:00.000Z',
    });
    expect(table.stored('cafe')).to.deep.equal(result.config);
    expect(bus.parsedDetails()).to.deep.equal([
      {
        version: 1,
        shopId: 'cafe',
        at: '2026-11-24T08:00:00.000Z',
        change: 'CREATED',
        open: true,
        configVersion: 1,
        config: toPublicShopConfig(result.config),
      },
    ]);
  });

  it('replaces an existing shop as the next version, keeps createdAt and emits UPDATED', async () => {
    const { ports, table, bus } = fakePorts(storedShop('cafe', { version: 4 }));

    const result = await saveShopConfig(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      input: shopInput({ name: 'Corner Cafe & Bakery' }),
    });

    expect(result.created).to.equal(false);
    expect(result.config).to.include({
      name: 'Corner Cafe & Bakery',
      version: 5,
      createdAt: T0,
      updatedAt: '2026-11-24T08:00:00.000Z',
    });
    expect(table.stored('cafe')).to.deep.equal(result.config);
    const [detail] = bus.parsedDetails();
    expect(detail).to.include({ change: 'UPDATED', configVersion: 5, open: false });
    expect(detail?.config).to.deep.equal(toPublicShopConfig(result.config));
  });

  [
    { name: 'emits OPENED when a save only opens the shop', input: { from: false, to: true } },
    { name: 'emits CLOSED when a save only closes the shop', input: { from: true, to: false } },
  ].forEach((c) => {
    it(c.name, async () => {
      const { ports, bus } = fakePorts(storedShop('cafe', { open: c.input.from }));

      await saveShopConfig(ports, {
        identity: callers.admin,
        shopId: 'cafe',
        input: shopInput({ open: c.input.to }),
      });

      const [detail] = bus.parsedDetails();
      expect(detail).to.include({
        change: c.input.to ? 'OPENED' : 'CLOSED',
        open: c.input.to,
        configVersion: 2,
      });
    });
  });

  it('retries after a concurrent write and then saves over the newer version', async () => {
    const { ports, table, bus } = fakePorts(storedShop('cafe', { version: 1 }));
    concurrentWriter(table, 1);
    const get = sandbox.spy(table, 'get');

    const result = await saveShopConfig(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      input: shopInput({ name: 'Our Cafe' }),
    });

    expect(get.callCount).to.equal(2);
    expect(result.created).to.equal(false);
    // Version 2 is the other writer's; ours follows it.
    expect(result.config).to.include({ name: 'Our Cafe', version: 3 });
    expect(table.stored('cafe')).to.deep.equal(result.config);
    expect(bus.parsedDetails().map((d) => [d.change, d.configVersion])).to.deep.equal([
      ['UPDATED', 3],
    ]);
    expect((logger.warn as sinon.SinonStub).calledOnce).to.equal(true);
  });

  it('turns a create that lost the race to another creator into a replace (not created)', async () => {
    const { ports, table, bus } = fakePorts();
    concurrentWriter(table, 1);

    const result = await saveShopConfig(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      input: shopInput({ name: 'Our Cafe' }),
    });

    expect(result.created).to.equal(false);
    expect(result.config).to.include({ name: 'Our Cafe', version: 2, createdAt: T0 });
    expect(bus.parsedDetails().map((d) => d.change)).to.deep.equal(['UPDATED']);
  });

  it('answers CONFLICT after three writes in a row lost to others, and emits nothing', async () => {
    const { ports, table, bus } = fakePorts(storedShop('cafe', { version: 1 }));
    concurrentWriter(table, Number.POSITIVE_INFINITY);
    const get = sandbox.spy(table, 'get');

    const error = await rejectionOf(
      saveShopConfig(ports, { identity: callers.admin, shopId: 'cafe', input: shopInput() }),
    );

    expect(error).to.be.instanceOf(HttpError);
    expect(error).to.include({ code: 'CONFLICT', status: 409 });
    expect(get.callCount).to.equal(3);
    expect(table.stored('cafe')).to.include({ name: 'Their Cafe', version: 4 });
    expect(bus.details).to.deep.equal([]);
  });

  it('does not retry a failure that is not a version conflict', async () => {
    const { ports, table, bus } = fakePorts();
    const failure = new Error('ProvisionedThroughputExceededException');
    sandbox.stub(table, 'put').rejects(failure);
    const get = sandbox.spy(table, 'get');

    const error = await rejectionOf(
      saveShopConfig(ports, { identity: callers.admin, shopId: 'cafe', input: shopInput() }),
    );

    expect(error).to.equal(failure);
    expect(get.callCount).to.equal(1);
    expect(bus.details).to.deep.equal([]);
  });

  it('stamps each attempt with the time of that attempt', async () => {
    const { ports, table, bus } = fakePorts(storedShop('cafe'));
    concurrentWriter(table, 2);

    const result = await saveShopConfig(ports, {
      identity: callers.admin,
      shopId: 'cafe',
      input: shopInput(),
    });

    // The stepping clock gave 08:00:00, 08:00:01, then 08:00:02 to the attempt that won.
    expect(result.config.updatedAt).to.equal('2026-11-24T08:00:02.000Z');
    expect(bus.parsedDetails()[0]?.at).to.equal('2026-11-24T08:00:02.000Z');
  });
});
