import { EVENT_DETAIL_SCHEMAS } from '@espresso/schemas';
import { expect } from 'chai';
import { callers, fakePorts, rejectionOf, SHOP, shopConfig } from '../testing/fakes';
import { announceNewOrder } from './announceOrder';
import { placeOrder } from './placeOrder';
import { getQrCode } from './qrCode';

const ROTATION = Date.parse('2026-11-24T08:05:00.000Z');
const NOW = ROTATION + 120_000;

const world = (ordersPerCode = 10) => {
  const w = fakePorts({
    shops: [
      shopConfig({
        limits: { ...shopConfig().limits, ordersPerCode, maxOrdersPerCustomerPerDay: 9 },
      }),
    ],
    now: NOW,
  });
  return w;
};

/** Places an order through the validator and returns its stored item (the stream's image). */
const placed = async (w: ReturnType<typeof world>, code: string) => {
  const { orderId } = await placeOrder(w.ports, callers.owner, SHOP, code);
  return w.orders.stored(SHOP, orderId);
};

describe('announceNewOrder (the outbox publisher)', () => {
  it('puts Validator.NewOrder with a schema-valid detail and the code’s remaining count', async () => {
    const w = world();
    const { code } = await getQrCode(w.ports, callers.display, SHOP);
    const item = await placed(w, code);

    await announceNewOrder(w.ports, item);

    expect(w.bus.types()).to.deep.equal(['Validator.NewOrder']);
    const detail = EVENT_DETAIL_SCHEMAS['Validator.NewOrder'].parse(w.bus.emitted[0]?.detail);
    expect(detail).to.deep.equal({
      version: 1,
      shopId: SHOP,
      orderId: item?.orderId,
      customerId: callers.owner.sub,
      at: new Date(NOW).toISOString(),
      remaining: 9,
      codeExpiresAt: new Date(ROTATION + 300_000).toISOString(),
    });
  });

  it('reports the count left when it announces, down to zero', async () => {
    const w = world(3);
    const { code } = await getQrCode(w.ports, callers.display, SHOP);

    for (let i = 0; i < 3; i++) await announceNewOrder(w.ports, await placed(w, code));

    expect(
      w.bus.emitted.map(
        (e) => EVENT_DETAIL_SCHEMAS['Validator.NewOrder'].parse(e.detail).remaining,
      ),
    ).to.deep.equal([2, 1, 0]);
  });

  it('fails (so the stream retries) when the bus refuses the event', async () => {
    const w = world();
    const { code } = await getQrCode(w.ports, callers.display, SHOP);
    const item = await placed(w, code);
    w.bus.failNext = new Error('EventBridge is down');

    const error = await rejectionOf(announceNewOrder(w.ports, item));

    expect((error as Error).message).to.equal('EventBridge is down');
  });

  [
    { name: 'refuses an image that is not an order', input: { pk: 'SHOP#x', sk: 'COUNTER#y' } },
    { name: 'refuses an order that has no redeemed code', input: 'no-code' },
  ].forEach((c) => {
    it(c.name, async () => {
      const w = world();
      const { code } = await getQrCode(w.ports, callers.display, SHOP);
      const item = await placed(w, code);
      const image =
        c.input === 'no-code'
          ? { ...item, qrBucket: undefined, codeExpiresAt: undefined }
          : c.input;

      const error = await rejectionOf(announceNewOrder(w.ports, image));

      expect(error).to.be.instanceOf(Error);
      expect(w.bus.emitted).to.deep.equal([]);
    });
  });
});
