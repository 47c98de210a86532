import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  MetricsResponseSchema,
  OrderFinishedDetailSchema,
  type OrderItem,
  OrderItemSchema,
  QrBucketItemSchema,
} from '@espresso/schemas';
import { createHttp, putShop, simShopConfig, simulate } from '@espresso/simulator';
import { startTestStack, type TestStack, until } from '@espresso/test-support';
import { expect } from 'chai';
import { createFaultProxy, type FaultProxy } from './fault-proxy';

/**
 * A busy shop with ground truth: the simulator drives LOAD_ORDERS (1,000) orders through real
 * HTTP and WebSocket clients while everything is delivered at least once — the customers' and
 * baristas' requests sometimes sent twice at once, events put twice (the copy late, so out of
 * order), the metrics queue's messages redelivered after their visibility timeout (the
 * poller's delete lost), and the publisher's WebSocket posts sometimes failing. Afterwards the
 * stored orders are the truth: every one ended, numbers are unique and consecutive, no QR
 * count went below zero, no slot leaked, every order has one ending on the bus, and the
 * metrics equal the truth.
 */
const ORDERS = Number(process.env.LOAD_ORDERS ?? 1000);
const PER_CODE = 1000;
const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'TIMED_OUT', 'REJECTED']);

describe(`a busy shop: ${ORDERS} orders with duplicate deliveries (local stack)`, function () {
  this.timeout(1_200_000);
  let stack: TestStack;
  let proxy: FaultProxy;

  before(async function () {
    this.timeout(300_000);
    proxy = createFaultProxy({
      dynamodbErrorRate: 0,
      lambdaErrorRate: 0,
      duplicateEventRate: 0.2,
      jitterMs: 1000,
      sqsLostDeleteRate: 0.3,
      websocketErrorRate: 0.05,
    });
    stack = await startTestStack(['config', 'orders', 'publisher', 'metrics'], {
      interpose: proxy.interpose,
    });
  });
  after(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('ends every order once, numbers them consecutively and counts them exactly once', async () => {
    const { config, orders: ordersUrl, publisher } = stack.endpoints;
    if (!config || !ordersUrl || !publisher) throw new Error('stack without its services');
    const target = { config, orders: ordersUrl, ws: publisher.ws, token: stack.mintToken };
    const shopId = `load-${Date.now().toString(36)}`;
    await putShop(
      target,
      createHttp({ requests: {}, errors: [] }),
      shopId,
      // Abandoned orders end by the customer timeout; the display's code changes every 30 s
      // (the shortest lifetime), so customers redeem several codes and meet expired ones.
      {
        ...simShopConfig({ customerSeconds: 10, baristaSeconds: 900 }),
        limits: {
          ordersPerCode: PER_CODE,
          codeTtlSeconds: 30,
          maxOpenOrders: 1000,
          maxOrdersPerCustomerPerDay: 100,
        },
      },
    );

    // Every event of this shop, as the bus accepted it (its own list keeps only the latest).
    const busEvents: { 'detail-type': string; detail: Record<string, unknown> }[] = [];
    const unsubscribe = stack.eventBridge.subscribe((e) => {
      if (e.detail.shopId === shopId) busEvents.push(e);
    });
    const started = Date.now();
    const result = await simulate({
      target,
      shopId,
      customers: 12,
      baristas: 4,
      orders: ORDERS,
      cancelRate: 0.1,
      abandonRate: 0.03,
      duplicateRate: 0.2,
      thinkTimeMs: [0, 200],
      makeTimeMs: [0, 100],
      pollIntervalMs: 2000,
      drainTimeoutMs: 300_000,
      seed: 42,
    });
    const simulatedMs = Date.now() - started;

    // ---- the truth: what the tables hold, read once nothing is in flight
    proxy.calm();
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamodb.endpoint,
        region: stack.endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const queryAll = async (input: ConstructorParameters<typeof QueryCommand>[0]) => {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey }));
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    };
    const readOrders = async (): Promise<OrderItem[]> =>
      (
        await queryAll({
          TableName: `espresso-orders-${stack.stage}-orders`,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `SHOP#${shopId}` },
          ConsistentRead: true,
        })
      ).map((item) => OrderItemSchema.parse(item));
    const orders = await until(
      'every order to end',
      async () => {
        await stack.idle();
        const all = await readOrders();
        return all.every((o) => TERMINAL.has(o.status)) ? all : undefined;
      },
      120_000,
      1000,
    ).catch(async (error: unknown) => {
      // What the store and the simulator each know of the first stuck orders, and its errors.
      const stuck = (await readOrders()).filter((o) => !TERMINAL.has(o.status));
      const simulated = new Map(result.orders.map((o) => [o.orderId, o]));
      throw new Error(
        `${String(error)}: ${stuck.length} not ended, e.g. ${stuck
          .slice(0, 5)
          .map((o) => {
            const { customerTaskToken, baristaTaskToken, ...stored } = o;
            const sim = simulated.get(o.orderId);
            return JSON.stringify({
              stored,
              simulator: sim && { ...sim, choice: undefined },
            });
          })
          .join('; ')}; simulator errors ${JSON.stringify(result.errors.slice(0, 5))}`,
      );
    });
    const truth: Record<string, number> = { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 };
    for (const order of orders) truth[order.status] = (truth[order.status] ?? 0) + 1;

    const counters = async (counter: string) =>
      Number(
        (
          await dynamo.send(
            new GetCommand({
              TableName: `espresso-orders-${stack.stage}-counters`,
              Key: { shopId, counter },
            }),
          )
        ).Item?.value ?? 0,
      );
    const numbers = orders
      .flatMap((o) => (o.orderNumber === undefined ? [] : [o.orderNumber]))
      .sort((a, b) => a - b);
    const buckets = (
      await queryAll({
        TableName: `espresso-orders-${stack.stage}-qr-codes`,
        KeyConditionExpression: 'shopId = :shop',
        ExpressionAttributeValues: { ':shop': shopId },
      })
    ).map((item) => QrBucketItemSchema.parse(item));

    const day = new Date().toISOString().slice(0, 10);
    const admin = await stack.token({ role: 'admin', shopId });
    const readMetrics = async () => {
      const res = await stack.call(
        'metrics',
        'GET',
        `/shops/${shopId}/metrics?from=${day}&to=${day}`,
        { token: admin },
      );
      return MetricsResponseSchema.safeParse(res.body);
    };
    const metrics = await until(
      'the metrics to count every ending',
      async () => {
        await stack.idle();
        const parsed = await readMetrics();
        return parsed.success && parsed.data.totals.orders >= orders.length
          ? parsed.data
          : undefined;
      },
      // A batch whose delete was lost comes back after the queue's visibility timeout.
      240_000,
      1000,
    ).catch(async (error: unknown) => {
      const parsed = await readMetrics();
      throw new Error(
        `${String(error)}: truth ${JSON.stringify(truth)}, metrics ${JSON.stringify(
          parsed.success ? parsed.data.totals : parsed.error.issues,
        )}`,
      );
    });
    dynamo.destroy();

    // ---- every order's ending on the bus: one kind per order, however often it was put
    const endings = new Map<string, Set<string>>();
    let endingEvents = 0;
    unsubscribe();
    for (const e of busEvents) {
      const end =
        e['detail-type'] === 'OrderProcessor.OrderFinished'
          ? OrderFinishedDetailSchema.parse(e.detail).outcome
          : e['detail-type'] === 'OrderProcessor.OrderTimedOut'
            ? 'TIMED_OUT'
            : undefined;
      if (!end) continue;
      endingEvents++;
      const id = String(e.detail.orderId);
      endings.set(id, (endings.get(id) ?? new Set()).add(end));
    }
    const wrongEndings = orders.filter((o) => {
      const seen = endings.get(o.orderId);
      return seen?.size !== 1 || !seen.has(o.status);
    });
    const chosen = result.orders.filter((o) => o.choice);
    const pushed = chosen.filter((o) => o.t.pushed !== undefined).length;

    console.log(
      `      ${orders.length} orders in ${(simulatedMs / 1000).toFixed(0)} s ` +
        `(${result.completedPerSecond.toFixed(2)} completed/s): ${JSON.stringify(truth)}; ` +
        `${result.duplicates.sent} requests sent twice (answers ${JSON.stringify(result.duplicates.answers)}), ` +
        `${proxy.injected.duplicateEvents} events put twice, ${proxy.injected.lostDeletes} queue deletes lost, ` +
        `${proxy.injected.websocket} WebSocket posts failed; ${endingEvents} ending events for ` +
        `${endings.size} orders; ${pushed}/${chosen.length} chosen orders pushed to the baristas; ` +
        `${buckets.length} QR codes used, fewest remaining ${Math.min(...buckets.map((b) => b.remaining))}; ` +
        `metrics ${JSON.stringify(metrics.totals.byOutcome)}`,
    );

    expect(result.errors, JSON.stringify(result.errors.slice(0, 5))).to.deep.equal([]);
    expect(result.inconsistent, JSON.stringify(result.inconsistent.slice(0, 5))).to.deep.equal([]);
    expect(orders.length, 'an order per simulated order').to.equal(
      result.orders.filter((o) => o.orderId).length,
    );
    expect(orders.length).to.equal(ORDERS);
    // The duplicates really happened (else this run proved nothing about them).
    expect(result.duplicates.sent).to.be.greaterThan(0);
    expect(proxy.injected.duplicateEvents).to.be.greaterThan(0);
    expect(proxy.injected.lostDeletes).to.be.greaterThan(0);
    expect(numbers, 'numbers 1..n, each once').to.deep.equal(
      Array.from({ length: numbers.length }, (_, i) => i + 1),
    );
    expect(await counters('ORDER_NUMBER'), 'the last number given').to.equal(numbers.length);
    expect(await counters('OPEN_ORDERS'), 'open orders after every ending').to.equal(0);
    const redeemed = buckets.reduce((sum, b) => sum + (PER_CODE - b.remaining), 0);
    expect(redeemed, 'every order redeemed one use of a code').to.equal(orders.length);
    expect(wrongEndings.map((o) => `${o.orderId} ${o.status}`)).to.deep.equal([]);
    expect(metrics.totals.orders).to.equal(orders.length);
    expect(metrics.totals.byOutcome, 'each ending counted once').to.deep.equal(truth);
    expect(pushed, 'chosen orders pushed to the baristas').to.equal(chosen.length);
  });
});
