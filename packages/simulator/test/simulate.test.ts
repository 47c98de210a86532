import { OrderFinishedDetailSchema, OrderSchema } from '@espresso/schemas';
import { sharedTestStack, type TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import { createHttp, type Intent, putShop, simShopConfig, simulate } from '../src';

describe('simulate on the shared local stack', function () {
  this.timeout(240_000);
  let stack: TestStack;

  before(async () => {
    stack = await sharedTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  it('ends every order as its customer and barista meant, and its counts match the orders API and the bus', async () => {
    const { config, orders, publisher } = stack.endpoints;
    if (!config || !orders || !publisher)
      throw new Error('stack without config, orders, publisher');
    const target = { config, orders, ws: publisher.ws, token: stack.mintToken };
    const shopId = `sim-${Date.now().toString(36)}`;
    // The config API's shortest customer timeout is 5 s: the abandoned order ends by it.
    await putShop(
      target,
      createHttp({ requests: {}, errors: [] }),
      shopId,
      simShopConfig({ customerSeconds: 5 }),
    );
    const intents: Intent[] = [
      'complete',
      'cancel',
      'complete',
      'abandon',
      'complete',
      'complete',
      'cancel',
      'complete',
      'complete',
      'complete',
    ];
    const result = await simulate({
      target,
      shopId,
      customers: 3,
      baristas: 2,
      orders: intents.length,
      intents,
      thinkTimeMs: [50, 300],
      makeTimeMs: [50, 200],
      pollIntervalMs: 1000,
      drainTimeoutMs: 30_000,
    });

    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.inconsistent, JSON.stringify(result.inconsistent)).to.deep.equal([]);
    expect(result.outcomes).to.deep.equal({ COMPLETED: 7, CANCELLED: 2, TIMED_OUT: 1 });
    expect(result.orders.map((o) => o.intent)).to.deep.equal(intents);

    const barista = await stack.mintToken({ role: 'barista', shopId });
    for (const order of result.orders) {
      const res = await stack.call('orders', 'GET', `/shops/${shopId}/orders/${order.orderId}`, {
        token: barista,
      });
      expect(res.status).to.equal(200);
      const stored = OrderSchema.parse(res.body);
      expect(stored.status, order.orderId).to.equal(order.status);
      if (order.action) expect(stored.baristaId).to.equal(order.baristaId);
      if (order.choice) expect(stored.drinkId).to.equal(order.choice.drinkId);
    }

    // Every order's workflow ended on the bus (OrderFinished with its outcome, or OrderTimedOut)
    // as the simulator counted.
    await stack.idle();
    const ids = new Set(result.orders.map((o) => o.orderId));
    const ends: Record<string, number> = {};
    for (const e of stack.eventBridge.events()) {
      if (!ids.has(String(e.detail.orderId))) continue;
      const end =
        e['detail-type'] === 'OrderProcessor.OrderFinished'
          ? OrderFinishedDetailSchema.parse(e.detail).outcome
          : e['detail-type'] === 'OrderProcessor.OrderTimedOut'
            ? 'TIMED_OUT'
            : undefined;
      if (end) ends[end] = (ends[end] ?? 0) + 1;
    }
    expect(ends).to.deep.equal(result.outcomes);
    const timedOut = stack.eventBridge
      .events()
      .filter(
        (e) =>
          e['detail-type'] === 'OrderProcessor.OrderTimedOut' && ids.has(String(e.detail.orderId)),
      );
    expect(timedOut.map((e) => e.detail.stage)).to.deep.equal(['CUSTOMER']);

    // The baristas heard every placed order on their sockets.
    const chosen = result.orders.filter((o) => o.choice);
    expect(chosen.every((o) => o.t.pushed !== undefined)).to.equal(true);
    expect(result.latencies['placed→push']?.n).to.equal(chosen.length);
  });
  it('accepts every choice sent at once after the 202 when every request may be sent twice, first time, no retries', async () => {
    const { config, orders, publisher } = stack.endpoints;
    if (!config || !orders || !publisher)
      throw new Error('stack without config, orders, publisher');
    const target = { config, orders, ws: publisher.ws, token: stack.mintToken };
    const shopId = `sim2-${Date.now().toString(36)}`;
    // A customer timeout long enough that no order is meant to end by it.
    await putShop(
      target,
      createHttp({ requests: {}, errors: [] }),
      shopId,
      simShopConfig({ customerSeconds: 60 }),
    );
    const intents: Intent[] = Array.from({ length: 12 }, (_, i) =>
      i % 4 === 3 ? 'cancel' : 'complete',
    );
    const result = await simulate({
      target,
      shopId,
      customers: 6,
      baristas: 2,
      orders: intents.length,
      intents,
      // No think time: each choice leaves the moment its placement answers 202, long before the
      // workflow waits for it.
      thinkTimeMs: [0, 0],
      makeTimeMs: [50, 150],
      duplicateRate: 0.5,
      pollIntervalMs: 1000,
      drainTimeoutMs: 60_000,
      seed: 7,
    });

    expect(result.errors, JSON.stringify(result.errors)).to.deep.equal([]);
    expect(result.inconsistent, JSON.stringify(result.inconsistent)).to.deep.equal([]);
    expect(result.outcomes).to.deep.equal({ COMPLETED: 9, CANCELLED: 3 });
    expect(result.duplicates.sent, 'requests sent twice').to.be.greaterThan(0);
    // Every order was chosen by its one PUT (or its copy): chosen before its workflow waited
    // (202, kept) or after (200) — never a 409 for the order's customer.
    expect(result.orders.every((o) => o.choice !== undefined)).to.equal(true);
    expect(
      Object.keys(result.duplicates.answers).every((s) => s !== '500' && s !== '503'),
    ).to.equal(true);
  });
});
