import { ErrorBodySchema, EVENT_DETAIL_SCHEMAS, QueueResponseSchema } from '@espresso/schemas';
import type { TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import { LATTE, type OrdersHarness, ordersHarness, ordersStack } from './helpers';

/**
 * Orders under concurrency, and the endings and hand-overs of an order, on the local stack
 * (config and orders services). Each test uses its own shop; every event a test caused must
 * parse with its detail-type's schema.
 */
describe('orders under load and at the edges of their lifecycle (local stack)', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let h: OrdersHarness;

  before(async function () {
    this.timeout(240_000);
    stack = await ordersStack();
    h = ordersHarness(stack);
  });
  after(async () => {
    if (stack) h.expectValidEvents();
  });

  const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;
  /** The shop's orders announced from the orders table's stream (the outbox). */
  const newOrderEvents = (shopId: string) =>
    stack.eventBridge
      .events()
      .filter((e) => e.detail.shopId === shopId && e['detail-type'] === 'Validator.NewOrder');

  describe('races', () => {
    it('admits exactly 10 of 100 customers redeeming a code good for 10 at once; 90 get 409 and the code ends at 0', async () => {
      await h.warm('POST /orders', 100);
      const shop = await h.newShop({ limits: { ordersPerCode: 10 } });
      const { code } = await h.lastingCode(shop);
      const tokens = await Promise.all(Array.from({ length: 100 }, () => h.customer()));
      const results = await Promise.all(tokens.map((token) => h.placeWith(shop, token, code)));

      const statuses = results.map((r) => r.status);
      expect(count(statuses, 202), statuses.join()).to.equal(10);
      expect(count(statuses, 409), statuses.join()).to.equal(90);
      for (const r of results.filter((r) => r.status === 409)) {
        expect(ErrorBodySchema.parse(r.body).error).to.include({
          code: 'CONFLICT',
          field: 'qrCode',
        });
      }
      expect(await h.qrCode(shop)).to.include({ code, remaining: 0 });
      // Each accepted order is announced from the orders table's stream (the outbox).
      await stack.idle();
      expect(newOrderEvents(shop.shopId)).to.have.length(10);
      h.expectValidEvents(shop.shopId);
    });

    it('places one order for 12 copies of a request sent at once with one Idempotency-Key', async () => {
      const shop = await h.newShop({ limits: { ordersPerCode: 50 } });
      const { code } = await h.lastingCode(shop);
      const token = await h.customer();
      const key = `retry-${Date.now().toString(36)}`;
      const send = () =>
        stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
          token,
          body: { qrCode: code },
          headers: { 'Idempotency-Key': key },
        });

      const copies = await Promise.all(Array.from({ length: 12 }, send));
      // A copy that met another's transaction mid-flight may be told to try again (409); the
      // client's retry with the same key is then a replay.
      const retried = await send();

      const placed = copies.filter((r) => r.status === 202);
      expect(placed.length, copies.map((r) => r.status).join()).to.be.at.least(1);
      for (const r of copies.filter((r) => r.status !== 202)) {
        expect(r.status, JSON.stringify(r.body)).to.equal(409);
      }
      const ids = new Set([...placed, retried].map((r) => h.acceptedId(r)));
      expect(ids.size, 'one order id for every answer').to.equal(1);
      expect(placed.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).to.have.length(
        1,
      );
      expect(retried.headers.get('idempotent-replayed')).to.equal('true');
      expect(await h.qrCode(shop), 'one order taken from the code').to.include({ remaining: 49 });
      await stack.idle();
      expect(newOrderEvents(shop.shopId)).to.have.length(1);
      // Another order needs another key; the key with another code is refused, naming it.
      const reused = await stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
        token,
        body: { qrCode: `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}` },
        headers: { 'Idempotency-Key': key },
      });
      expect(reused.status).to.equal(409);
      expect(ErrorBodySchema.parse(reused.body).error.field).to.equal('Idempotency-Key');
    });

    it('lets a browser on another origin send Idempotency-Key (CORS preflight through serverless offline)', async () => {
      const shop = await h.newShop();
      const res = await fetch(`${stack.endpoints.orders}/shops/${shop.shopId}/orders`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://localhost:4000',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
      expect(res.status).to.be.oneOf([200, 204]);
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).to.include(
        'idempotency-key',
      );
    });

    it('starts exactly 3 of 10 orders placed at once in a shop that takes 3; the other 7 are rejected AT_CAPACITY', async () => {
      const shop = await h.newShop({ limits: { maxOpenOrders: 3 } });
      const { code } = await h.lastingCode(shop);
      const tokens = await Promise.all(Array.from({ length: 10 }, () => h.customer()));
      const orders = await Promise.all(
        tokens.map(async (customer) => ({
          orderId: h.acceptedId(await h.placeWith(shop, customer, code)),
          customer,
        })),
      );

      // Each order's workflow either takes a slot and waits for the customer, or turns it away.
      const firsts = await Promise.all(
        orders.map(({ orderId }) =>
          h.firstOf(orderId, ['OrderProcessor.WorkflowStarted', 'OrderProcessor.ShopUnavailable']),
        ),
      );
      const started = orders.filter(
        (_, i) => firsts[i]?.['detail-type'] === 'OrderProcessor.WorkflowStarted',
      );
      const rejected = orders.filter((o) => !started.includes(o));
      expect(started).to.have.length(3);
      expect(rejected).to.have.length(7);
      for (const order of started) {
        expect((await h.get(shop, order.orderId)).status).to.equal('AWAITING_SELECTION');
        expect(h.typesOf(order.orderId)).not.to.include('OrderProcessor.ShopUnavailable');
      }
      for (const order of rejected) {
        const unavailable = await h.event(order.orderId, 'OrderProcessor.ShopUnavailable');
        expect(unavailable.detail.reason).to.equal('AT_CAPACITY');
        expect(await h.get(shop, order.orderId, order.customer)).to.include({
          status: 'REJECTED',
          reason: 'AT_CAPACITY',
        });
        expect(h.typesOf(order.orderId)).not.to.include('OrderProcessor.WorkflowStarted');
      }
      h.expectValidEvents(shop.shopId);
    });

    it('numbers 50 orders chosen at once from 1 to 50, each number exactly once', async () => {
      await h.warm('PUT /orders/{orderId}', 50);
      const shop = await h.newShop();
      const { code } = await h.lastingCode(shop);
      const tokens = await Promise.all(Array.from({ length: 50 }, () => h.customer()));
      const orders = await Promise.all(
        tokens.map(async (customer) => ({
          orderId: h.acceptedId(await h.placeWith(shop, customer, code)),
          customer,
        })),
      );

      await Promise.all(
        orders.map((o) => h.event(o.orderId, 'OrderProcessor.WorkflowStarted', 30_000)),
      );
      const chosen = await Promise.all(orders.map((order) => h.choose(shop, order)));
      for (const r of chosen) expect(h.expectOrder(r).status).to.equal('QUEUED');
      const waiting = await Promise.all(
        orders.map((o) => h.event(o.orderId, 'OrderProcessor.WaitingCompletion', 45_000)),
      );

      const numbers = waiting.map(
        (e) => EVENT_DETAIL_SCHEMAS['OrderProcessor.WaitingCompletion'].parse(e.detail).orderNumber,
      );
      expect([...numbers].sort((a, b) => a - b)).to.deep.equal(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      const queue = QueueResponseSchema.parse(
        (await stack.call('orders', 'GET', `/shops/${shop.shopId}/queue`, { token: shop.barista }))
          .body,
      );
      expect(queue.queued).to.have.length(50);
      const stored = new Map(queue.queued.map((o) => [o.orderId, o.orderNumber]));
      expect(orders.map((o) => stored.get(o.orderId))).to.deep.equal(numbers);
      h.expectValidEvents(shop.shopId);
    });

    it('answers 429 to a customer over the daily limit, also when the orders come at once', async () => {
      const shop = await h.newShop({ limits: { maxOrdersPerCustomerPerDay: 2 } });
      const customer = await h.customer();
      const { code } = await h.lastingCode(shop);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => h.placeWith(shop, customer, code)),
      );
      const statuses = results.map((r) => r.status);
      expect(count(statuses, 202), statuses.join()).to.equal(2);
      expect(count(statuses, 429), statuses.join()).to.equal(3);
      for (const r of results.filter((r) => r.status === 429)) {
        expect(ErrorBodySchema.parse(r.body).error.code).to.equal('LIMIT_EXCEEDED');
      }

      const later = await h.placeWith(shop, customer, code);
      expect(later.status).to.equal(429);
      expect(ErrorBodySchema.parse(later.body).error.code).to.equal('LIMIT_EXCEEDED');
      // Another customer is not held back, and refused orders took nothing from the code.
      await h.place(shop);
      expect((await h.qrCode(shop)).remaining).to.equal(100 - 3);
      h.expectValidEvents(shop.shopId);
    });
  });

  describe('endings and hand-overs', () => {
    it('times an order out at the barista stage when nobody completes it, and frees its slot', async () => {
      const shop = await h.newShop({
        limits: { maxOpenOrders: 1 },
        timeouts: { baristaSeconds: 5 },
      });
      const order = await h.queued(shop);
      const waiting = await h.event(order.orderId, 'OrderProcessor.WaitingCompletion');
      expect(waiting.detail.timeoutSeconds).to.equal(5);

      const timedOut = await h.event(order.orderId, 'OrderProcessor.OrderTimedOut', 20_000);
      expect(timedOut.detail).to.include({ stage: 'BARISTA', orderNumber: 1, drinkId: 'latte' });
      expect(await h.get(shop, order.orderId, order.customer)).to.include({
        status: 'TIMED_OUT',
        reason: 'BARISTA_TIMEOUT',
      });
      expect(h.typesOf(order.orderId)).to.deep.equal([
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'OrderManager.OrderPlaced',
        'OrderProcessor.WaitingCompletion',
        'OrderProcessor.OrderTimedOut',
      ]);

      // The shop takes one open order: the next one starts only if the slot was released.
      const next = await h.place(shop);
      await h.event(next.orderId, 'OrderProcessor.WorkflowStarted');
      h.expectValidEvents(shop.shopId);
    });

    it('lets a barista cancel an order in progress: CANCELLED_BY_BARISTA, and the workflow finishes CANCELLED', async () => {
      const shop = await h.newShop({ limits: { maxOpenOrders: 1 } });
      const order = await h.queued(shop);
      await h.event(order.orderId, 'OrderProcessor.WaitingCompletion');
      h.expectOrder(await h.act(shop, order.orderId, 'claim', shop.barista));

      const cancelled = h.expectOrder(await h.act(shop, order.orderId, 'cancel', shop.barista));
      expect(cancelled).to.include({ status: 'CANCELLED', reason: 'CANCELLED_BY_BARISTA' });
      const event = await h.event(order.orderId, 'OrderManager.OrderCancelled');
      expect(event.detail).to.include({
        reason: 'CANCELLED_BY_BARISTA',
        cancelledBy: shop.baristaId,
        previousStatus: 'IN_PROGRESS',
        baristaId: shop.baristaId,
      });
      const finished = await h.event(order.orderId, 'OrderProcessor.OrderFinished');
      expect(finished.detail).to.include({ outcome: 'CANCELLED', orderNumber: 1 });
      expect(await h.get(shop, order.orderId, order.customer)).to.include({
        status: 'CANCELLED',
        reason: 'CANCELLED_BY_BARISTA',
      });

      const next = await h.place(shop);
      await h.event(next.orderId, 'OrderProcessor.WorkflowStarted');
      h.expectValidEvents(shop.shopId);
    });

    it('returns an unclaimed order to the queue, where another barista claims and completes it', async () => {
      const shop = await h.newShop();
      const order = await h.queued(shop);
      await h.event(order.orderId, 'OrderProcessor.WaitingCompletion');
      h.expectOrder(await h.act(shop, order.orderId, 'claim', shop.barista));

      const unclaimed = h.expectOrder(await h.act(shop, order.orderId, 'unclaim', shop.barista));
      expect(unclaimed.status).to.equal('QUEUED');
      expect(unclaimed.baristaId).to.equal(undefined);
      const event = await h.event(order.orderId, 'OrderManager.OrderUnclaimed');
      expect(event.detail).to.include({ baristaId: shop.baristaId, orderNumber: 1 });
      const queue = QueueResponseSchema.parse(
        (await stack.call('orders', 'GET', `/shops/${shop.shopId}/queue`, { token: shop.barista2 }))
          .body,
      );
      expect(queue.queued.map((o) => o.orderId)).to.deep.equal([order.orderId]);
      expect(queue.inProgress).to.deep.equal([]);

      expect(h.expectOrder(await h.act(shop, order.orderId, 'claim', shop.barista2))).to.include({
        status: 'IN_PROGRESS',
        baristaId: shop.barista2Id,
      });
      expect(h.expectOrder(await h.act(shop, order.orderId, 'complete', shop.barista2))).to.include(
        { status: 'COMPLETED', baristaId: shop.barista2Id, drinkId: LATTE.drinkId },
      );
      const finished = await h.event(order.orderId, 'OrderProcessor.OrderFinished');
      expect(finished.detail).to.include({ outcome: 'COMPLETED', orderNumber: 1 });
      expect(h.typesOf(order.orderId)).to.deep.equal([
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'OrderManager.OrderPlaced',
        'OrderProcessor.WaitingCompletion',
        'OrderManager.OrderClaimed',
        'OrderManager.OrderUnclaimed',
        'OrderManager.OrderClaimed',
        'OrderManager.OrderCompleted',
        'OrderProcessor.OrderFinished',
      ]);
      h.expectValidEvents(shop.shopId);
    });
  });
});
