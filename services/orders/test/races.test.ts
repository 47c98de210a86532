import { randomUUID } from 'node:crypto';
import { ErrorBodySchema, EVENT_DETAIL_SCHEMAS, QueueResponseSchema } from '@espresso/schemas';
import type { TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import { LATTE, type OrdersHarness, ordersHarness, ordersStack, type Shop } from './helpers';

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

  /** One answer of a burst, kept whole (and its time) so a failure shows every one. */
  type Answer = { status: number; body: unknown; ms: number };
  const timed = async (call: () => Promise<{ status: number; body: unknown }>): Promise<Answer> => {
    const started = performance.now();
    const { status, body } = await call();
    return { status, body, ms: Math.round(performance.now() - started) };
  };
  /** Every answer of a burst, one a line, by status: the message of a failed expectation. */
  const listed = (answers: Answer[]) => {
    const statuses = answers.map((a) => a.status);
    const tally = [...new Set(statuses)]
      .sort((a, b) => a - b)
      .map((status) => `${count(statuses, status)}× ${status}`);
    const lines = answers
      .map((a, i) => ({ ...a, i }))
      .sort((a, b) => a.status - b.status || a.i - b.i)
      .map((a) => `  #${a.i} ${a.status} in ${a.ms} ms: ${JSON.stringify(a.body)}`);
    return `${tally.join(', ')}\n${lines.join('\n')}\n`;
  };

  /**
   * Serverless offline runs one worker thread per concurrent call of a function, up to the local
   * cloud's cap (LAMBDA_MAX_INSTANCES; before it, a call that found every worker busy always
   * started a new one), loading the handler's bundle within the function's 10 s timeout: a
   * burst of cold starts on 2 busy cores ran past it. Offline 13
   * answered such a call 200 with a `LambdaTimeoutError` body (the two 200s of a clean-clone CI
   * run, whose warm-up had made 67 workers for a burst of 100); patched, 503. Either way a
   * customer the rule under test never saw. This makes `n` warm workers of a function with
   * practice calls (`call`, answered `expected`) in waves that add at most `step` new workers
   * each: a wave is as large as the last wave's good answers plus `step` (a worker whose call
   * timed out is replaced by a cold one), until a wave of `n` at once answered `expected` every
   * time. `prepare` runs before each wave and gives its call. (Warm, a burst of 100 redemptions
   * still queues its transactions on the code's item in DynamoDB Local: the last answers came
   * after 6 s on a quiet run, after 16 s — 503s — with the machine's load at 20.)
   */
  const warmUp = async (
    what: string,
    n: number,
    prepare: () => Promise<() => Promise<{ status: number; body: unknown }>>,
    expected: number,
  ) => {
    const step = 20;
    let warm = 0;
    let last: Answer[] = [];
    for (let wave = 1; wave <= 12; wave++) {
      const size = Math.min(n, warm + step);
      const call = await prepare();
      const answers = await Promise.all(Array.from({ length: size }, () => timed(call)));
      last = answers;
      const unexpected = answers.filter((a) => a.status !== expected && a.status !== 503);
      expect(unexpected, `${what}, wave ${wave}: ${listed(answers)}`).to.deep.equal([]);
      warm = count(
        answers.map((a) => a.status),
        expected,
      );
      if (size === n && warm === n) return;
    }
    expect.fail(`${what}: no wave of ${n} without a time-out in 12; the last: ${listed(last)}`);
  };

  describe('races', () => {
    /** A shop whose calls only practise: its code is used up, its orders never exist. */
    let practice: Shop;
    let practiser: string;
    const usedUp = new Set<string>();
    /** Redemptions of the practice shop's used-up code (a code it rotates to is used up first). */
    const warmPlacements = (n: number) =>
      warmUp(
        'POST /orders',
        n,
        async () => {
          const { code } = await h.qrCode(practice);
          if (!usedUp.has(code))
            h.acceptedId(await h.placeWith(practice, await h.customer(), code));
          usedUp.add(code);
          return () => h.placeWith(practice, practiser, code);
        },
        409,
      );
    const warmCodeReads = (n: number) =>
      warmUp(
        'GET /qr-code',
        n,
        async () => () =>
          stack.call('orders', 'GET', `/shops/${practice.shopId}/qr-code`, {
            token: practice.display,
          }),
        200,
      );
    /** Choices of a drink for orders the practice shop does not have (404). */
    const warmChoices = (n: number) =>
      warmUp(
        'PUT /orders/{orderId}',
        n,
        async () => () =>
          stack.call('orders', 'PUT', h.orderPath(practice, randomUUID()), {
            token: practiser,
            body: LATTE,
          }),
        404,
      );

    before(async function () {
      this.timeout(240_000);
      practice = await h.newShop({ limits: { ordersPerCode: 1 } });
      practiser = await h.customer();
      await warmPlacements(100);
    });

    it('admits exactly 10 of 100 customers redeeming a code good for 10 at once; 90 get 409 and the code ends at 0', async () => {
      const shop = await h.newShop({ limits: { ordersPerCode: 10 } });
      const { code } = await h.lastingCode(shop);
      const tokens = await Promise.all(Array.from({ length: 100 }, () => h.customer()));
      await stack.idle(); // the shop's config events delivered: the burst has the stack to itself
      const results = await Promise.all(
        tokens.map((token) => timed(() => h.placeWith(shop, token, code))),
      );

      const statuses = results.map((r) => r.status);
      expect(count(statuses, 202), listed(results)).to.equal(10);
      expect(count(statuses, 409), listed(results)).to.equal(90);
      for (const r of results.filter((r) => r.status === 409)) {
        expect(ErrorBodySchema.parse(r.body).error).to.include({
          code: 'CONFLICT',
          field: 'qrCode',
        });
      }
      expect(await h.qrCode(shop), listed(results)).to.include({ code, remaining: 0 });
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

    it('numbers 50 orders chosen at once from 1 to 50, each number exactly once', async function () {
      this.timeout(240_000);
      // Workers idle for 60 s are ended: warm what the bursts below call, just before them
      // (the practice of h.warm reads the code and chooses 25 at once; its orders' workflows
      // warm the workflows' functions).
      await warmCodeReads(50);
      await warmChoices(50);
      await h.warm('PUT /orders/{orderId}', 50);
      await warmPlacements(50);
      await warmChoices(50);
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
