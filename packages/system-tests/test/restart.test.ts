import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionSummary } from '@espresso/local-cloud';
import {
  MetricsResponseSchema,
  NewOrderResponseSchema,
  type OrderItem,
  OrderItemSchema,
  QrCodeResponseSchema,
} from '@espresso/schemas';
import {
  sleep,
  startTestStack,
  type TestStack,
  testShopConfig,
  until,
} from '@espresso/test-support';
import { expect } from 'chai';

/**
 * The local stack stopped and started again in the middle of orders (issue 9, "Faults"): the
 * workflows that were waiting go on from where they were, on the same state folder. One order
 * waits for its customer's choice, one for its barista, one is left alone, one had completed;
 * after the restart the customer chooses and the barista completes (both COMPLETED with their
 * events), the abandoned one times out on its original clock (TIMED_OUT with its event), the
 * open-orders counters are back to zero, no execution is left running, and the metrics count
 * each ending once (the one before the restart included).
 */
const TERMINAL = new Set(['COMPLETED', 'CANCELLED', 'TIMED_OUT', 'REJECTED']);
/** The abandoned order's shop: short enough to wait for, long enough to outlast a restart. */
const HASTY_CUSTOMER_SECONDS = 45;

describe('orders across a restart of the local stack', function () {
  this.timeout(600_000);
  let stateDir: string;
  let stack: TestStack | undefined;

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-restart-'));
  });
  after(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const start = () => startTestStack(['config', 'orders', 'metrics'], { stateDir });
  const running = () => {
    if (!stack) throw new Error('no stack');
    return stack;
  };

  /** A client's call, retried while the answer is a 5xx (a 409 is an answer, never retried). */
  const call = async (
    method: string,
    route: string,
    token: string,
    body?: unknown,
    service: 'orders' | 'config' | 'metrics' = 'orders',
  ) => {
    for (let attempt = 1; ; attempt++) {
      const res = await running().call(service, method, route, {
        token,
        ...(body === undefined ? {} : { body }),
      });
      if (res.status < 500 || attempt >= 60) return res;
      await sleep(250);
    }
  };

  const documents = () =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: running().dynamodb.endpoint,
        region: running().endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
  const readOrder = async (shopId: string, orderId: string): Promise<OrderItem | undefined> => {
    const dynamo = documents();
    try {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: `espresso-orders-${running().stage}-orders`,
          Key: { pk: `SHOP#${shopId}`, sk: `ORDER#${orderId}` },
          ConsistentRead: true,
        }),
      );
      return Item ? OrderItemSchema.parse(Item) : undefined;
    } finally {
      dynamo.destroy();
    }
  };
  const openOrders = async (shopId: string): Promise<number> => {
    const dynamo = documents();
    try {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: `espresso-orders-${running().stage}-counters`,
          Key: { shopId, counter: 'OPEN_ORDERS' },
          ConsistentRead: true,
        }),
      );
      return Number(Item?.value ?? 0);
    } finally {
      dynamo.destroy();
    }
  };
  /** Waits until the order is stored in a state that satisfies `ready`. */
  const orderWhere = (
    what: string,
    shopId: string,
    orderId: string,
    ready: (order: OrderItem) => boolean,
    timeoutMs = 60_000,
  ) =>
    until(
      `order ${orderId} ${what}`,
      async () => {
        const order = await readOrder(shopId, orderId);
        return order && ready(order) ? order : undefined;
      },
      timeoutMs,
      200,
    );
  const executions = async (): Promise<ExecutionSummary[]> => {
    const res = await fetch(`${running().endpoints.aws.sfn}/_local/executions`);
    return ((await res.json()) as { executions: ExecutionSummary[] }).executions;
  };

  it('loses no order: waiting workflows resume, the customer chooses, the barista completes, the abandoned one times out', async () => {
    const started = Date.now();
    stack = await start();
    const firstStartMs = Date.now() - started;
    const suffix = Date.now().toString(36);
    const patientShop = `restart-${suffix}`;
    const hastyShop = `restart-hasty-${suffix}`;
    const admin = (shopId: string) => running().token({ role: 'admin', shopId });
    const display = (shopId: string) => running().token({ role: 'display', shopId });
    const barista = () =>
      running().token({ role: 'barista', shopId: patientShop, sub: 'restart-barista' });
    const customer = (name: string) =>
      running().token({ role: 'customer', sub: `restart-customer-${name}` });

    for (const [shopId, customerSeconds] of [
      [patientShop, 900],
      [hastyShop, HASTY_CUSTOMER_SECONDS],
    ] as const) {
      const res = await call(
        'PUT',
        `/shops/${shopId}/config`,
        await admin(shopId),
        testShopConfig({ name: shopId, timeouts: { customerSeconds, baristaSeconds: 900 } }),
        'config',
      );
      expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
    }
    const place = async (shopId: string, name: string) => {
      const qr = QrCodeResponseSchema.parse(
        (await call('GET', `/shops/${shopId}/qr-code`, await display(shopId))).body,
      );
      const res = await call('POST', `/shops/${shopId}/orders`, await customer(name), {
        qrCode: qr.code,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      return NewOrderResponseSchema.parse(res.body).orderId;
    };
    const orderPath = (shopId: string, orderId: string) => `/shops/${shopId}/orders/${orderId}`;
    /**
     * The customer's choice: 200 when the workflow already waited for it, 202 when it is kept on
     * the order until the workflow waits (issue 18); either way the order is then QUEUED.
     */
    const choose = async (orderId: string, name: string) => {
      const res = await call('PUT', orderPath(patientShop, orderId), await customer(name), {
        drinkId: 'latte',
        modifiers: { Milk: 'Oat' },
      });
      expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 202]);
      await orderWhere('queued', patientShop, orderId, (o) => o.status === 'QUEUED');
    };
    const act = async (orderId: string, action: 'claim' | 'complete') => {
      const res = await call(
        'POST',
        `${orderPath(patientShop, orderId)}/${action}`,
        await barista(),
      );
      expect(res.status, `${action}: ${JSON.stringify(res.body)}`).to.equal(200);
    };

    // Before: one completed, one waiting for its customer, one claimed by a barista, one abandoned.
    const done = await place(patientShop, 'done');
    const choosing = await place(patientShop, 'choosing');
    const brewing = await place(patientShop, 'brewing');
    const abandoned = await place(hastyShop, 'abandoned');
    await choose(done, 'done');
    await act(done, 'claim');
    await act(done, 'complete');
    await choose(brewing, 'brewing');
    await act(brewing, 'claim');
    await orderWhere('completed', patientShop, done, (o) => o.status === 'COMPLETED');
    await orderWhere(
      'waiting for its customer',
      patientShop,
      choosing,
      (o) => o.status === 'AWAITING_SELECTION' && Boolean(o.customerTaskToken),
    );
    await orderWhere(
      'waiting for its barista',
      patientShop,
      brewing,
      (o) => o.status === 'IN_PROGRESS' && Boolean(o.baristaTaskToken),
    );
    const abandonedBefore = await orderWhere(
      'waiting for its customer',
      hastyShop,
      abandoned,
      (o) => o.status === 'AWAITING_SELECTION' && Boolean(o.customerTaskToken),
    );
    await until(
      'the completed order to finish its workflow',
      async () => {
        const finished = running()
          .eventBridge.events()
          .some(
            (e) => e['detail-type'] === 'OrderProcessor.OrderFinished' && e.detail.orderId === done,
          );
        return finished && (await openOrders(patientShop)) === 2 ? true : undefined;
      },
      30_000,
      200,
    );
    const beforeRestart = {
      done: await readOrder(patientShop, done),
      choosing: await readOrder(patientShop, choosing),
      brewing: await readOrder(patientShop, brewing),
      abandoned: abandonedBefore,
    };
    const stale = {
      choosing: beforeRestart.choosing?.customerTaskToken,
      brewing: beforeRestart.brewing?.baristaTaskToken,
    };

    // The restart.
    await running().stop();
    stack = undefined;
    const restarted = Date.now();
    stack = await start();
    const resumedAt = Date.now();
    console.log(`      first start ${firstStartMs} ms, stop and start ${resumedAt - restarted} ms`);

    // Each order names its workflow's execution (the workflow checks it is the one carrying it).
    const executionOf = (list: ExecutionSummary[], order: keyof typeof beforeRestart) => {
      const arn = beforeRestart[order]?.executionArn;
      expect(arn, `the execution of ${order}`).to.be.a('string');
      return list.find((e) => e.executionArn === arn);
    };
    const afterRestart = await executions();
    for (const order of ['choosing', 'brewing', 'abandoned'] as const) {
      expect(executionOf(afterRestart, order), `${order} is resumed`).to.include({
        status: 'RUNNING',
        resumes: 1,
      });
    }
    expect(executionOf(afterRestart, 'done')?.status, 'the finished one is kept').to.equal(
      'SUCCEEDED',
    );
    expect(executionOf(afterRestart, 'done')?.resumes).to.equal(undefined);

    // The resumed waits keep new tokens; the customer chooses and the barista completes.
    await orderWhere(
      'with a new customer token',
      patientShop,
      choosing,
      (o) => Boolean(o.customerTaskToken) && o.customerTaskToken !== stale.choosing,
    );
    await orderWhere(
      'with a new barista token',
      patientShop,
      brewing,
      (o) => Boolean(o.baristaTaskToken) && o.baristaTaskToken !== stale.brewing,
    );
    await choose(choosing, 'choosing');
    await act(choosing, 'claim');
    await act(choosing, 'complete');
    await act(brewing, 'complete');

    const ended = await Promise.all(
      [
        [patientShop, choosing],
        [patientShop, brewing],
        [hastyShop, abandoned],
      ].map(([shopId, orderId]) =>
        orderWhere(
          'to end',
          shopId as string,
          orderId as string,
          (o) => TERMINAL.has(o.status),
          (HASTY_CUSTOMER_SECONDS + 60) * 1000,
        ),
      ),
    );
    expect(ended.map((o) => o.status)).to.deep.equal(['COMPLETED', 'COMPLETED', 'TIMED_OUT']);
    expect(ended[2]?.reason).to.equal('CUSTOMER_TIMEOUT');
    // The customer's time ran from when the abandoned order started waiting, not from the
    // restart: it ended at that time plus the timeout, or at once on resuming if that had passed.
    // The wait's timer started between the order's creation (before the workflow reached the
    // wait) and its updatedAt (written by awaitCustomer once the wait had begun): the timeout
    // is measured from the first, the deadline from the second.
    const createdAt = Date.parse(abandonedBefore.createdAt);
    const waitingSince = Date.parse(abandonedBefore.updatedAt);
    const timedOutAt = Date.parse(ended[2]?.finishedAt ?? '');
    const due = Math.max(waitingSince + HASTY_CUSTOMER_SECONDS * 1000, resumedAt);
    expect(timedOutAt - createdAt, 'not before the timeout').to.be.at.least(
      HASTY_CUSTOMER_SECONDS * 1000,
    );
    expect(timedOutAt, 'timed out on the original clock').to.be.below(due + 10_000);

    const events = await until(
      'the endings on the bus',
      async () => {
        await running().idle();
        const all = running().eventBridge.events();
        const of = (orderId: string, type: string) =>
          all.filter((e) => e.detail.orderId === orderId && e['detail-type'] === type);
        const found = {
          choosing: of(choosing, 'OrderProcessor.OrderFinished'),
          brewing: of(brewing, 'OrderProcessor.OrderFinished'),
          abandoned: of(abandoned, 'OrderProcessor.OrderTimedOut'),
        };
        return Object.values(found).every((list) => list.length > 0) ? found : undefined;
      },
      30_000,
      200,
    );
    expect(events.choosing.map((e) => e.detail.outcome)).to.deep.equal(['COMPLETED']);
    expect(events.brewing.map((e) => e.detail.outcome)).to.deep.equal(['COMPLETED']);
    expect(events.abandoned.map((e) => e.detail.stage)).to.deep.equal(['CUSTOMER']);

    await until(
      'no execution left running',
      async () => {
        const now = await executions();
        return now.every((e) => e.status !== 'RUNNING') ? now : undefined;
      },
      30_000,
      200,
    );
    const finals = await executions();
    for (const order of ['choosing', 'brewing', 'abandoned'] as const) {
      expect(executionOf(finals, order), order).to.include({ status: 'SUCCEEDED', resumes: 1 });
    }
    expect(await openOrders(patientShop), 'open orders of the patient shop').to.equal(0);
    expect(await openOrders(hastyShop), 'open orders of the hasty shop').to.equal(0);

    // Every ending counted once: the one before the restart, the three after it.
    const day = new Date().toISOString().slice(0, 10);
    const counted = async (shopId: string, endings: number) =>
      until(
        `the metrics of ${shopId}`,
        async () => {
          await running().idle();
          const res = await call(
            'GET',
            `/shops/${shopId}/metrics?from=${day}&to=${day}`,
            await admin(shopId),
            undefined,
            'metrics',
          );
          const parsed = MetricsResponseSchema.safeParse(res.body);
          return parsed.success && parsed.data.totals.orders >= endings
            ? parsed.data.totals.byOutcome
            : undefined;
        },
        60_000,
        500,
      );
    expect(await counted(patientShop, 3)).to.deep.equal({
      COMPLETED: 3,
      CANCELLED: 0,
      TIMED_OUT: 0,
      REJECTED: 0,
    });
    expect(await counted(hastyShop, 1)).to.deep.equal({
      COMPLETED: 0,
      CANCELLED: 0,
      TIMED_OUT: 1,
      REJECTED: 0,
    });
  });
});
