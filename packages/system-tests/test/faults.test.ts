import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  MetricsResponseSchema,
  NewOrderResponseSchema,
  type OrderItem,
  OrderItemSchema,
  type PutShopConfigBody,
  QrCodeResponseSchema,
} from '@espresso/schemas';
import { sleep, startTestStack, type TestStack, until } from '@espresso/test-support';
import { expect } from 'chai';
import { createFaultProxy, type FaultProxy, seeded } from './fault-proxy';

/**
 * Orders under injected faults, on the local stack: DynamoDB throttling and internal errors on
 * the handlers' and workflows' requests, Lambda service errors on invokes (by Step Functions,
 * rules and queues), and events put twice, the copy late and so out of order. Customers and
 * baristas retry what failed as a real client does. Afterwards no order is lost or stuck: each
 * one completed, was cancelled, timed out or was rejected — with its event — the shop's open
 * orders are back to zero, numbers are unique, and the metrics count each ending exactly once.
 */
const ORDERS = Number(process.env.FAULT_ORDERS ?? 24);

type Intent = 'complete' | 'cancelByCustomer' | 'cancelByBarista' | 'abandon';
const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'TIMED_OUT', 'REJECTED']);
const OUTCOME_OF: Record<string, string> = {
  COMPLETED: 'COMPLETED',
  CANCELLED: 'CANCELLED',
  TIMED_OUT: 'TIMED_OUT',
  REJECTED: 'REJECTED',
};

describe('orders under injected faults (local stack)', function () {
  this.timeout(600_000);
  let stack: TestStack;
  let proxy: FaultProxy;

  before(async function () {
    this.timeout(300_000);
    const rate = Number(process.env.FAULT_RATE ?? 0.05);
    proxy = createFaultProxy({
      dynamodbErrorRate: rate,
      lambdaErrorRate: rate,
      duplicateEventRate: 0.3,
      jitterMs: 500,
    });
    stack = await startTestStack(['config', 'orders', 'metrics'], {
      interpose: proxy.interpose,
    });
  });
  after(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('loses no order, leaves none stuck and counts each ending once', async () => {
    const shopId = `faults-${Date.now().toString(36)}`;
    const admin = await stack.token({ role: 'admin', shopId });
    const barista = await stack.token({ role: 'barista', shopId, sub: 'fault-barista' });
    const display = await stack.token({ role: 'display', shopId });
    const body: PutShopConfigBody = {
      name: 'Faulty bar',
      open: true,
      menu: [
        {
          drinkId: 'latte',
          name: 'Latte',
          icon: 'latte',
          available: true,
          modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
        },
      ],
      limits: {
        ordersPerCode: 1000,
        codeTtlSeconds: 3600,
        maxOpenOrders: 1000,
        maxOrdersPerCustomerPerDay: 100,
      },
      timeouts: { customerSeconds: 15, baristaSeconds: 900 },
    };

    /** A client's call: retried on 5xx, a Lambda error behind a 200, or a dropped connection. */
    const call = async (
      service: 'config' | 'orders' | 'metrics',
      method: string,
      route: string,
      token: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await stack.call(service, method, route, {
            token,
            headers,
            ...(payload === undefined ? {} : { body: payload }),
          });
          const lambdaError =
            res.body !== null && typeof res.body === 'object' && 'errorType' in res.body;
          if (res.status < 500 && !lambdaError) return res;
          if (attempt >= 12) return res;
        } catch (error) {
          if (attempt >= 12) throw error;
        }
        await sleep(Math.min(150 * attempt, 2000));
      }
    };

    const created = await call('config', 'PUT', `/shops/${shopId}/config`, admin, body);
    expect(created.status, JSON.stringify(created.body)).to.be.oneOf([200, 201]);
    const qr = QrCodeResponseSchema.parse(
      (await call('orders', 'GET', `/shops/${shopId}/qr-code`, display)).body,
    );

    const random = seeded(11);
    const intents: Intent[] = Array.from({ length: ORDERS }, (_, i) =>
      i % 6 === 5
        ? 'abandon'
        : i % 6 === 4
          ? 'cancelByCustomer'
          : i % 6 === 3
            ? 'cancelByBarista'
            : 'complete',
    );
    const orderPath = (orderId: string) => `/shops/${shopId}/orders/${orderId}`;
    let overtaken = 0;

    /** Acts until the order is in `status` (a retried call may find its first attempt worked). */
    const moveTo = async (orderId: string, token: string, action: string, status: string) => {
      for (let attempt = 1; attempt <= 40; attempt++) {
        const res = await call('orders', 'POST', `${orderPath(orderId)}/${action}`, token);
        if (res.status === 200) return;
        const current = await call('orders', 'GET', orderPath(orderId), barista);
        const now = current.status === 200 ? (current.body as { status?: string }).status : '';
        if (now === status) return;
        // The workflow's own ending came first (a time-out): that is an outcome, not a loss.
        if (now && TERMINAL.has(now)) {
          overtaken++;
          return;
        }
        await sleep(150);
      }
      throw new Error(`order ${orderId} never reached ${status} by ${action}`);
    };

    /** Where each driver is, printed every 30 s with FAULT_DEBUG=1. */
    const phase = new Map<number, string>();
    const drive = async (intent: Intent, index: number) => {
      phase.set(index, 'placing');
      await sleep(Math.floor(random() * 2000));
      const customer = await stack.token({ role: 'customer', sub: `fault-customer-${index}` });
      // Retried with its Idempotency-Key: a retry whose first attempt worked is the same order.
      const placed = await call(
        'orders',
        'POST',
        `/shops/${shopId}/orders`,
        customer,
        { qrCode: qr.code },
        { 'Idempotency-Key': `${shopId}-order-${index}` },
      );
      expect(placed.status, JSON.stringify(placed.body)).to.equal(202);
      const { orderId } = NewOrderResponseSchema.parse(placed.body);
      const placedAt = Date.now();
      phase.set(index, `${orderId} choosing`);
      if (intent === 'abandon') return;
      // The choice is accepted at once (200, or 202 kept until the workflow waits); sent again
      // only when its answer was lost (a fault), until the order shows it moved on.
      for (let attempt = 1; ; attempt++) {
        const res = await call('orders', 'PUT', orderPath(orderId), customer, {
          drinkId: 'latte',
          modifiers: { Milk: 'Oat' },
        });
        if (res.status === 200 || res.status === 202) break;
        const current = await call('orders', 'GET', orderPath(orderId), customer);
        const status = current.status === 200 ? (current.body as { status?: string }).status : '';
        if (status && status !== 'AWAITING_SELECTION') break;
        // Under load the workflow may start late (the announcement is retried after a Lambda
        // error); once it waits, its customer timeout ends an order nobody could choose.
        if (Date.now() - placedAt > 120_000)
          throw new Error(`order ${orderId} could not be chosen`);
        await sleep(Math.min(200 * attempt, 1000));
      }
      if (intent === 'cancelByCustomer') {
        phase.set(index, `${orderId} cancelling`);
        await moveTo(orderId, customer, 'cancel', 'CANCELLED');
        return;
      }
      phase.set(index, `${orderId} claiming`);
      await moveTo(orderId, barista, 'claim', 'IN_PROGRESS');
      phase.set(index, `${orderId} ending`);
      if (intent === 'cancelByBarista') await moveTo(orderId, barista, 'cancel', 'CANCELLED');
      else await moveTo(orderId, barista, 'complete', 'COMPLETED');
    };

    const watchdog = process.env.FAULT_DEBUG
      ? setInterval(() => {
          console.log(`      drivers busy: ${[...phase.values()].join(', ')}`);
          void stack
            .pending()
            .then((lines) => console.log(`      stack busy: ${lines.join('; ')}`));
        }, 30_000)
      : undefined;
    const results = await Promise.allSettled(
      intents.map(async (intent, index) => {
        try {
          await drive(intent, index);
        } finally {
          phase.delete(index);
        }
      }),
    );
    clearInterval(watchdog);
    const driverErrors = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => String(r.reason));

    // From here on the truth is read: no more faults.
    proxy.calm();
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamodb.endpoint,
        region: stack.endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const ordersTable = `espresso-orders-${stack.stage}-orders`;
    const countersTable = `espresso-orders-${stack.stage}-counters`;
    const readOrders = async (): Promise<OrderItem[]> => {
      const { Items = [] } = await dynamo.send(
        new QueryCommand({
          TableName: ordersTable,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `SHOP#${shopId}` },
          ConsistentRead: true,
        }),
      );
      return Items.map((item) => OrderItemSchema.parse(item));
    };
    /** `stack.idle()`, or a failure naming what it still waits for after `ms`. */
    // Longer than the metrics queue's visibility timeout (60 s), which a failed batch waits out.
    const settled = async (ms = 240_000) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), ms);
      });
      const outcome = await Promise.race([stack.idle().then(() => 'idle' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        throw new Error(
          `the stack was not idle after ${ms} ms: ${(await stack.pending()).join('; ')}`,
        );
      }
    };
    /** What a stuck order looked like, and where its workflow was, for the failure message. */
    const describeStuck = async (order: OrderItem) => {
      const { Item = {} } = await dynamo.send(
        new GetCommand({
          TableName: ordersTable,
          Key: { pk: `SHOP#${shopId}`, sk: `ORDER#${order.orderId}` },
        }),
      );
      const fields = Object.fromEntries(
        Object.entries(Item).map(([k, v]) => [
          k,
          /TaskToken$/.test(k) ? `<${String(v).length}>` : v,
        ]),
      );
      const arn = typeof Item.executionArn === 'string' ? Item.executionArn : undefined;
      if (!arn) return `${order.orderId} ${JSON.stringify(fields)} (no execution)`;
      const sfn = new SFNClient({
        endpoint: stack.endpoints.aws.sfn,
        region: stack.endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      const { events = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 8 }),
      );
      sfn.destroy();
      const history = events
        .map(
          (e) =>
            `${e.type}${e.stateEnteredEventDetails ? `(${e.stateEnteredEventDetails.name})` : ''}`,
        )
        .join(' < ');
      return `${order.orderId} ${JSON.stringify(fields)}\n  execution ${status}: ${history}`;
    };
    const orders = await until(
      'every order to end',
      async () => {
        await settled();
        const all = await readOrders();
        return all.every((o) => TERMINAL.has(o.status)) ? all : undefined;
      },
      120_000,
      500,
    ).catch(async (error: unknown) => {
      const stuck = (await readOrders()).filter((o) => !TERMINAL.has(o.status));
      throw new Error(
        `${String(error)}: ${(await Promise.all(stuck.map(describeStuck))).join('\n')}\n` +
          `driver errors: ${driverErrors.join('; ')}`,
      );
    });

    const truth: Record<string, number> = { COMPLETED: 0, CANCELLED: 0, TIMED_OUT: 0, REJECTED: 0 };
    for (const order of orders) {
      const outcome = OUTCOME_OF[order.status] as string;
      truth[outcome] = (truth[outcome] ?? 0) + 1;
    }
    const { Item: open } = await dynamo.send(
      new GetCommand({ TableName: countersTable, Key: { shopId, counter: 'OPEN_ORDERS' } }),
    );
    const numbers = orders.flatMap((o) => (o.orderNumber === undefined ? [] : [o.orderNumber]));
    const day = new Date().toISOString().slice(0, 10);
    const metrics = await until(
      'the metrics to count every ending',
      async () => {
        await settled();
        const res = await call(
          'metrics',
          'GET',
          `/shops/${shopId}/metrics?from=${day}&to=${day}`,
          admin,
        );
        const parsed = MetricsResponseSchema.safeParse(res.body);
        return parsed.success && parsed.data.totals.orders >= orders.length
          ? parsed.data
          : undefined;
      },
      // A consumer batch whose invoke failed comes back after the queue's visibility timeout.
      180_000,
      1000,
    ).catch(async (error: unknown) => {
      const res = await call(
        'metrics',
        'GET',
        `/shops/${shopId}/metrics?from=${day}&to=${day}`,
        admin,
      );
      throw new Error(
        `${String(error)}: truth ${JSON.stringify(truth)}, metrics ${JSON.stringify(res.body).slice(0, 400)}`,
      );
    });
    dynamo.destroy();

    const events = stack.eventBridge.events().filter((e) => e.detail.shopId === shopId);
    console.log(
      `      ${orders.length} orders (${intents.length} driven): ${JSON.stringify(truth)}; ` +
        `injected ${proxy.injected.dynamodb} DynamoDB errors, ${proxy.injected.lambda} Lambda errors ` +
        `(${proxy.injected.functionErrors} of them handlers that threw), ` +
        `${proxy.injected.duplicateEvents} duplicate PutEvents; ${events.length} events on the bus; ` +
        `${overtaken} actions overtaken by the workflow's time-out`,
    );
    expect(driverErrors).to.deep.equal([]);
    expect(orders.length, 'one order per customer, retries included').to.equal(intents.length);
    expect(Number(open?.value ?? 0), 'open orders after every ending').to.equal(0);
    expect(new Set(numbers).size, 'numbers given once each').to.equal(numbers.length);
    expect(metrics.totals.byOutcome, 'each ending counted once').to.deep.equal(truth);
    expect(truth.COMPLETED).to.be.greaterThan(0);
    expect(truth.TIMED_OUT, 'the abandoned orders timed out').to.be.at.least(
      intents.filter((i) => i === 'abandon').length,
    );
  });
});
