import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ListStateMachinesCommand,
  SFNClient,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type DetailType,
  ErrorBodySchema,
  EVENT_DETAIL_SCHEMAS,
  isDetailType,
  NewOrderResponseSchema,
  type Order,
  OrderItemSchema,
  OrderJourneySchema,
  OrderSchema,
  type PutShopConfigBody,
  QrCodeResponseSchema,
  QueueResponseSchema,
} from '@espresso/schemas';
import type { TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import sinon from 'sinon';
import { buildOrdersTable } from '../src/adapters/orders';
import { buildWorkflows } from '../src/adapters/workflows';
import { planChange } from '../src/domain/transitions';
import { ordersStack } from './helpers';

/**
 * Order journeys end to end over HTTP: the orders and config APIs under serverless offline, the
 * OrderProcessor and OrderManager workflows on the local Step Functions, the rule on
 * Validator.NewOrder on the local EventBridge, DynamoDB Local. Each test uses its own shop.
 */
describe('order journeys (local stack)', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let run = 0;

  before(async function () {
    this.timeout(240_000);
    stack = await ordersStack();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const until = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 15_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };

  const shopConfig = (overrides: Partial<PutShopConfigBody> = {}): PutShopConfigBody => ({
    name: 'Journey bar',
    open: true,
    menu: [
      {
        drinkId: 'latte',
        name: 'Latte',
        icon: 'latte',
        available: true,
        modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
      },
      { drinkId: 'mocha', name: 'Mocha', icon: 'mocha', available: false, modifiers: [] },
    ],
    limits: {
      ordersPerCode: 10,
      codeTtlSeconds: 300,
      maxOpenOrders: 20,
      maxOrdersPerCustomerPerDay: 50,
    },
    timeouts: { customerSeconds: 300, baristaSeconds: 900 },
    ...overrides,
  });

  const newShop = async (overrides: Partial<PutShopConfigBody> = {}) => {
    const shopId = `j${Date.now().toString(36)}-${++run}`;
    const token = await stack.token({ role: 'admin', shopId });
    const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
      token,
      body: shopConfig(overrides),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return {
      shopId,
      display: await stack.token({ role: 'display', shopId }),
      barista: await stack.token({ role: 'barista', shopId, sub: `barista-${run}` }),
      barista2: await stack.token({ role: 'barista', shopId, sub: `barista2-${run}` }),
    };
  };

  const qrOf = async (shop: { shopId: string; display: string }) => {
    const res = await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, {
      token: shop.display,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return QrCodeResponseSchema.parse(res.body);
  };
  const code = async (shop: { shopId: string; display: string }) => (await qrOf(shop)).code;
  /** A code that lasts 30 s more, for a test that compares it after its orders. */
  const lastingCode = async (shop: { shopId: string; display: string }): Promise<string> => {
    const current = await qrOf(shop);
    const left = Date.parse(current.expiresAt) - Date.now();
    if (left >= 30_000) return current.code;
    await sleep(left + 100);
    return code(shop);
  };

  const place = async (shop: { shopId: string; display: string }, customer?: string) => {
    const token = customer ?? (await stack.token({ role: 'customer' }));
    const res = await stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
      token,
      body: { qrCode: await code(shop) },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return { orderId: NewOrderResponseSchema.parse(res.body).orderId, customer: token };
  };

  const get = async (shopId: string, orderId: string, token: string): Promise<Order> => {
    const res = await stack.call('orders', 'GET', `/shops/${shopId}/orders/${orderId}`, { token });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return OrderSchema.parse(res.body);
  };

  const eventsOf = (orderId: string) =>
    stack.eventBridge.events().filter((e) => e.detail.orderId === orderId);
  const event = (orderId: string, type: DetailType) =>
    until(type, async () => eventsOf(orderId).find((e) => e['detail-type'] === type));
  /** Every event of the order, checked against its schema; their types in order. */
  const checkedTypes = (orderId: string) =>
    eventsOf(orderId).map((e) => {
      const type = e['detail-type'];
      expect(isDetailType(type), type).to.equal(true);
      EVENT_DETAIL_SCHEMAS[type as DetailType].parse(e.detail);
      expect(JSON.stringify(e.detail)).not.to.match(/token/i);
      return type;
    });

  interface ProcessorRun {
    executionArn: string;
    stateMachineName: string;
    status: string;
    /** What AWS bills a Standard workflow for: states entered, retries included. */
    stateTransitions: number;
  }
  /** The OrderProcessor executions, as the local Step Functions counts them. */
  const processorRuns = async () => {
    const res = await fetch(`${stack.endpoints.aws.sfn}/_local/executions`);
    const { executions } = (await res.json()) as { executions: ProcessorRun[] };
    return executions.filter((e) => e.stateMachineName.endsWith('-order-processor'));
  };
  /** A client of the stack's DynamoDB Local; `destroy()` it when done. */
  const dynamoClient = () =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.dynamodb.endpoint,
        region: stack.endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
  const tables = () => ({
    orders: `espresso-orders-${stack.stage}-orders`,
    counters: `espresso-orders-${stack.stage}-counters`,
  });
  /** The order as stored (with what the API does not show: its execution, its slot). */
  const stored = async (shopId: string, orderId: string) => {
    const dynamo = dynamoClient();
    try {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: tables().orders,
          Key: { pk: `SHOP#${shopId}`, sk: `ORDER#${orderId}` },
          ConsistentRead: true,
        }),
      );
      return OrderItemSchema.parse(Item);
    } finally {
      dynamo.destroy();
    }
  };
  /** The shop's open orders (the slots taken and not given back). */
  const openOrders = async (shopId: string) => {
    const dynamo = dynamoClient();
    try {
      const { Item } = await dynamo.send(
        new GetCommand({
          TableName: tables().counters,
          Key: { shopId, counter: 'OPEN_ORDERS' },
          ConsistentRead: true,
        }),
      );
      return Number(Item?.value ?? 0);
    } finally {
      dynamo.destroy();
    }
  };
  /** The execution that carried the order, found by the ARN the order keeps. */
  const runOf = async (shopId: string, orderId: string) => {
    const { executionArn } = await stored(shopId, orderId);
    const run = (await processorRuns()).find((e) => e.executionArn === executionArn);
    expect(run, `the execution ${executionArn}`).not.to.equal(undefined);
    return run as ProcessorRun;
  };

  /** The order's OrderProcessor once it has ended, read through the journey route. */
  const finishedWorkflow = (shopId: string, orderId: string, token: string) =>
    until('the finished workflow', async () => {
      const res = await stack.call('orders', 'GET', `/shops/${shopId}/orders/${orderId}/journey`, {
        token,
      });
      const body = OrderJourneySchema.parse(res.body);
      return body.workflowStatus && body.workflowStatus !== 'RUNNING' ? body : undefined;
    });

  it('runs an order from QR code to completion: choose, numbered, claim, complete, finished', async () => {
    const shop = await newShop();
    const { orderId, customer } = await place(shop);
    await event(orderId, 'OrderProcessor.WorkflowStarted');

    const chosen = await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
      token: customer,
      body: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
    });
    expect(chosen.status, JSON.stringify(chosen.body)).to.equal(200);
    expect(OrderSchema.parse(chosen.body)).to.include({ status: 'QUEUED', drinkId: 'latte' });

    await event(orderId, 'OrderProcessor.WaitingCompletion');
    expect((await get(shop.shopId, orderId, customer)).orderNumber).to.equal(1);
    const queue = QueueResponseSchema.parse(
      (await stack.call('orders', 'GET', `/shops/${shop.shopId}/queue`, { token: shop.barista }))
        .body,
    );
    expect(queue.queued.map((o) => o.orderId)).to.deep.equal([orderId]);

    const claimed = await stack.call(
      'orders',
      'POST',
      `/shops/${shop.shopId}/orders/${orderId}/claim`,
      { token: shop.barista },
    );
    expect(OrderSchema.parse(claimed.body)).to.include({
      status: 'IN_PROGRESS',
      baristaId: `barista-${run}`,
    });
    const completed = await stack.call(
      'orders',
      'POST',
      `/shops/${shop.shopId}/orders/${orderId}/complete`,
      { token: shop.barista },
    );
    expect(OrderSchema.parse(completed.body).status).to.equal('COMPLETED');

    const finished = await event(orderId, 'OrderProcessor.OrderFinished');
    expect(finished.detail).to.include({ outcome: 'COMPLETED', orderNumber: 1 });
    const journey = await until('the finished workflow', async () => {
      const res = await stack.call(
        'orders',
        'GET',
        `/shops/${shop.shopId}/orders/${orderId}/journey`,
        { token: customer },
      );
      const body = OrderJourneySchema.parse(res.body);
      return body.workflowStatus === 'SUCCEEDED' ? body : undefined;
    });
    const names = journey.steps.map((step) => step.name);
    for (const step of journey.steps) expect(step.exitedAt, step.name).to.be.a('string');
    // Standard workflows bill per state transition: a completed order enters 5 states (the
    // execution's history, through the journey route) …
    expect(names).to.deep.equal([
      'AdmitOrder',
      'Admitted',
      'WaitForCustomer',
      'WaitForBarista',
      'EndOrder',
    ]);
    // … and its billed transitions, as Step Functions counts them (retries would add to them).
    expect((await runOf(shop.shopId, orderId)).stateTransitions).to.equal(5);
    // The slot the order took is given back, once, with its ending.
    expect((await stored(shop.shopId, orderId)).slot).to.equal('RELEASED');
    expect(checkedTypes(orderId)).to.deep.equal([
      'Validator.NewOrder',
      'OrderProcessor.WorkflowStarted',
      'OrderManager.OrderPlaced',
      'OrderProcessor.WaitingCompletion',
      'OrderManager.OrderClaimed',
      'OrderManager.OrderCompleted',
      'OrderProcessor.OrderFinished',
    ]);
  });

  it('carries an order once when Validator.NewOrder is delivered twice', async () => {
    // Capacity 1: a duplicate execution that took a slot would reject the order as full.
    const shop = await newShop({
      limits: { ...shopConfig().limits, maxOpenOrders: 1 },
    });
    const { orderId, customer } = await place(shop);
    const original = await event(orderId, 'Validator.NewOrder');
    await event(orderId, 'OrderProcessor.WorkflowStarted');
    const carrier = await stored(shop.shopId, orderId);
    const before = (await processorRuns()).length;

    const bus = new EventBridgeClient({
      endpoint: stack.endpoints.aws.events,
      region: stack.endpoints.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const put = await bus.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: original.eventBusName,
            Source: original.source,
            DetailType: original['detail-type'],
            Detail: JSON.stringify(original.detail),
          },
        ],
      }),
    );
    bus.destroy();
    expect(put.FailedEntryCount).to.equal(0);

    const duplicate = await until('the duplicate execution to end', async () => {
      const runs = await processorRuns();
      return runs.length > before && runs.at(-1)?.status !== 'RUNNING' ? runs.at(-1) : undefined;
    });
    // AdmitOrder → Admitted → AlreadyCarried, and the order is still the first execution's.
    expect(duplicate).to.include({ status: 'SUCCEEDED', stateTransitions: 3 });
    expect(await stored(shop.shopId, orderId)).to.deep.include({
      executionArn: carrier.executionArn,
      slot: 'HELD',
    });
    const chosen = await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
      token: customer,
      body: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
    });
    expect(OrderSchema.parse(chosen.body).status).to.equal('QUEUED');
    await event(orderId, 'OrderProcessor.WaitingCompletion');
    const types = eventsOf(orderId).map((e) => e['detail-type']);
    expect(types.filter((t) => t === 'Validator.NewOrder')).to.have.length(2);
    expect(types.filter((t) => t === 'OrderProcessor.WorkflowStarted')).to.have.length(1);
    expect(types).not.to.include('OrderProcessor.ShopUnavailable');
  });

  it('times the order out when the customer does not choose in time', async () => {
    const shop = await newShop({ timeouts: { customerSeconds: 5, baristaSeconds: 900 } });
    const { orderId, customer } = await place(shop);
    const timedOut = await until(
      'the customer timeout',
      async () =>
        eventsOf(orderId).find((e) => e['detail-type'] === 'OrderProcessor.OrderTimedOut'),
      20_000,
    );
    expect(timedOut.detail.stage).to.equal('CUSTOMER');
    expect(await get(shop.shopId, orderId, customer)).to.include({
      status: 'TIMED_OUT',
      reason: 'CUSTOMER_TIMEOUT',
    });
    const journey = await finishedWorkflow(shop.shopId, orderId, customer);
    expect(journey.workflowStatus).to.equal('SUCCEEDED');
    expect(journey.steps.map((step) => step.name)).to.deep.equal([
      'AdmitOrder',
      'Admitted',
      'WaitForCustomer',
      'CustomerTimedOut',
      'ChoseInTime',
      'EndedByCustomerTimeout',
    ]);
    expect((await stored(shop.shopId, orderId)).slot).to.equal('RELEASED');
    checkedTypes(orderId);
  });

  it('rejects an order the shop has no capacity for, and frees the slot when an order ends', async () => {
    const shop = await newShop({
      limits: {
        ordersPerCode: 10,
        codeTtlSeconds: 300,
        maxOpenOrders: 1,
        maxOrdersPerCustomerPerDay: 50,
      },
    });
    const first = await place(shop);
    await event(first.orderId, 'OrderProcessor.WorkflowStarted');
    const second = await place(shop);
    const unavailable = await event(second.orderId, 'OrderProcessor.ShopUnavailable');
    expect(unavailable.detail.reason).to.equal('AT_CAPACITY');
    expect(await get(shop.shopId, second.orderId, second.customer)).to.include({
      status: 'REJECTED',
      reason: 'AT_CAPACITY',
    });
    const rejected = await finishedWorkflow(shop.shopId, second.orderId, second.customer);
    expect(rejected.workflowStatus).to.equal('SUCCEEDED');
    expect(rejected.steps.map((step) => step.name)).to.deep.equal([
      'AdmitOrder',
      'Admitted',
      'RejectFull',
      'EndOrder',
    ]);
    // Turned away without a slot: nothing to give back.
    expect(await stored(shop.shopId, second.orderId)).not.to.have.property('slot');

    // The owner cancels the first order before it is claimed: it ends and frees the slot.
    const cancelled = await stack.call(
      'orders',
      'POST',
      `/shops/${shop.shopId}/orders/${first.orderId}/cancel`,
      {
        token: first.customer,
      },
    );
    expect(OrderSchema.parse(cancelled.body)).to.include({
      status: 'CANCELLED',
      reason: 'CANCELLED_BY_CUSTOMER',
    });
    expect((await event(first.orderId, 'OrderProcessor.OrderFinished')).detail.outcome).to.equal(
      'CANCELLED',
    );
    const third = await place(shop);
    await event(third.orderId, 'OrderProcessor.WorkflowStarted');
  });

  it('takes one slot per order however often its admission and its ending run (real transactions)', async () => {
    const shop = await newShop({ limits: { ...shopConfig().limits, maxOpenOrders: 2 } });
    const { orderId, customer } = await place(shop);
    await event(orderId, 'OrderProcessor.WorkflowStarted');
    const { executionArn } = await stored(shop.shopId, orderId);
    if (!executionArn) throw new Error('the order has no execution');
    expect(await openOrders(shop.shopId)).to.equal(1);
    const dynamo = dynamoClient();
    const table = buildOrdersTable(dynamo, tables().orders);
    const key = { shopId: shop.shopId, orderId };
    const slot = { table: tables().counters };
    const otherExecution = `${executionArn}-again`;
    try {
      // The admission retried by its execution, and a second execution of the same order.
      const admit = (arn: string) =>
        table.admit({ ...key, executionArn: arn, slots: { ...slot, max: 2 } });
      expect(await admit(executionArn)).to.equal('ADMITTED');
      expect(await admit(otherExecution)).to.equal('DUPLICATE');
      expect(await openOrders(shop.shopId)).to.equal(1);
      // Another execution cannot end the order nor give back its slot.
      expect(await table.end({ ...key, slot, executionArn: otherExecution })).to.deep.include({
        changed: false,
        released: false,
      });
      expect(await openOrders(shop.shopId)).to.equal(1);

      const cancelled = await stack.call(
        'orders',
        'POST',
        `/shops/${shop.shopId}/orders/${orderId}/cancel`,
        { token: customer },
      );
      expect(OrderSchema.parse(cancelled.body).status).to.equal('CANCELLED');
      await event(orderId, 'OrderProcessor.OrderFinished');
      await finishedWorkflow(shop.shopId, orderId, customer);
      expect(await openOrders(shop.shopId)).to.equal(0);
      // EndOrder retried after it gave the slot back: nothing more is given back.
      expect(await table.end({ ...key, slot, executionArn })).to.deep.include({
        changed: false,
        released: false,
      });
      expect(await openOrders(shop.shopId)).to.equal(0);
      expect((await stored(shop.shopId, orderId)).slot).to.equal('RELEASED');
    } finally {
      dynamo.destroy();
    }
  });

  it('refuses an order in a closed shop with a 409 and creates nothing', async () => {
    const shop = await newShop({ open: false });
    const res = await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, {
      token: shop.display,
    });
    const customer = await stack.token({ role: 'customer' });
    const placed = await stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
      token: customer,
      body: { qrCode: QrCodeResponseSchema.parse(res.body).code },
    });
    expect(placed.status).to.equal(409);
    const history = await stack.call('orders', 'GET', '/me/orders', { token: customer });
    expect((history.body as { orders: unknown[] }).orders).to.deep.equal([]);
  });

  const badSelections = [
    { name: 'a drink not on the menu', body: { drinkId: 'tea', modifiers: {} }, field: 'drinkId' },
    { name: 'an unavailable drink', body: { drinkId: 'mocha', modifiers: {} }, field: 'drinkId' },
    {
      name: 'an option the group does not have',
      body: { drinkId: 'latte', modifiers: { Milk: 'Soy' } },
      field: 'modifiers.Milk',
    },
    {
      name: 'a missing modifier group',
      body: { drinkId: 'latte', modifiers: {} },
      field: 'modifiers.Milk',
    },
  ];
  for (const c of badSelections) {
    it(`answers 400 naming the field for ${c.name}, and the order still awaits a choice`, async () => {
      const shop = await newShop();
      const { orderId, customer } = await place(shop);
      const res = await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
        token: customer,
        body: c.body,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(ErrorBodySchema.parse(res.body).error.field).to.equal(c.field);
      expect((await get(shop.shopId, orderId, customer)).status).to.equal('AWAITING_SELECTION');
    });
  }

  it('lets exactly one of two baristas claim an order; the other gets a 409', async () => {
    const shop = await newShop();
    const { orderId, customer } = await place(shop);
    await event(orderId, 'OrderProcessor.WorkflowStarted');
    await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
      token: customer,
      body: { drinkId: 'latte', modifiers: { Milk: 'Regular' } },
    });
    const results = await Promise.all(
      [shop.barista, shop.barista2].map((token) =>
        stack.call('orders', 'POST', `/shops/${shop.shopId}/orders/${orderId}/claim`, { token }),
      ),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 409]);
  });

  it('finds an OrderManager update retried after it applied as applied: no conflict, the event again', async () => {
    // What Step Functions' Retry does when DynamoDB applied the update but its answer was lost:
    // the same input again. A new change from the old status still conflicts.
    const shop = await newShop();
    const { orderId, customer } = await place(shop);
    await event(orderId, 'OrderProcessor.WorkflowStarted');
    await until('the choice', async () => {
      const res = await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
        token: customer,
        body: { drinkId: 'latte', modifiers: { Milk: 'Regular' } },
      });
      return res.status === 200 ? res : undefined;
    });
    const sfn = new SFNClient({
      endpoint: stack.endpoints.aws.sfn,
      region: stack.endpoints.aws.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      disableHostPrefix: true,
    });
    try {
      const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
      const managerArn = stateMachines.find((m) =>
        m.name?.startsWith(`espresso-orders-${stack.stage}-order-manager`),
      )?.stateMachineArn;
      if (!managerArn) throw new Error('no OrderManager state machine');
      const sent = sinon.spy(sfn, 'send');
      const workflows = buildWorkflows(sfn, { orderManagerArn: managerArn, busName: 'unused' });
      const queued = await stored(shop.shopId, orderId);
      const barista = { sub: 'retry-barista', groups: ['barista' as const], shopId: shop.shopId };
      const now = new Date().toISOString();
      const claim = planChange(queued, 'claim', barista, now);

      expect(await workflows.applyChange(queued, claim, now)).to.deep.include({ ok: true });
      const [first] = sent.getCalls().map((c) => c.args[0]);
      if (!(first instanceof StartSyncExecutionCommand)) throw new Error('no OrderManager run');
      const again = await sfn.send(
        new StartSyncExecutionCommand({ ...first.input, name: undefined }),
      );
      const another = await workflows.applyChange(queued, claim, now);

      expect(again.status, `${again.error} ${again.cause}`).to.equal('SUCCEEDED');
      expect(another, 'a new change from QUEUED').to.deep.equal({ ok: false, conflict: true });
      expect(await stored(shop.shopId, orderId)).to.include({
        status: 'IN_PROGRESS',
        baristaId: 'retry-barista',
      });
      await until('the claim announced twice', async () =>
        eventsOf(orderId).filter((e) => e['detail-type'] === 'OrderManager.OrderClaimed').length ===
        2
          ? true
          : undefined,
      );
    } finally {
      sfn.destroy();
    }
  });

  it('admits exactly as many orders as the code allows when customers redeem it at once', async () => {
    const shop = await newShop({
      limits: {
        ordersPerCode: 5,
        codeTtlSeconds: 300,
        maxOpenOrders: 100,
        maxOrdersPerCustomerPerDay: 50,
      },
    });
    const qrCode = await lastingCode(shop);
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => stack.token({ role: 'customer' })),
    );
    const results = await Promise.all(
      tokens.map((token) =>
        stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, { token, body: { qrCode } }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 202),
      statuses.join(),
    ).to.have.length(5);
    expect(statuses.filter((s) => s === 409)).to.have.length(15);
    const after = QrCodeResponseSchema.parse(
      (await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, { token: shop.display }))
        .body,
    );
    expect(after).to.include({ code: qrCode, remaining: 0 });
  });

  describe('who may do what', () => {
    it('answers 400 naming qrCode for a wrong code', async () => {
      const shop = await newShop();
      await code(shop);
      const res = await stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
        token: await stack.token({ role: 'customer' }),
        body: { qrCode: 'not-the-code' },
      });
      expect(res.status).to.equal(400);
      expect(ErrorBodySchema.parse(res.body).error.field).to.equal('qrCode');
    });

    it("shows an order to its customer and the shop's staff, and to nobody else", async () => {
      const shop = await newShop();
      const { orderId, customer } = await place(shop);
      const other = await newShop();
      const cases: [string, string, number][] = [
        ['owner', customer, 200],
        ['barista of the shop', shop.barista, 200],
        ['display of the shop', shop.display, 200],
        ['another customer', await stack.token({ role: 'customer' }), 404],
        ['barista of another shop', other.barista, 404],
      ];
      for (const [who, token, status] of cases) {
        const res = await stack.call('orders', 'GET', `/shops/${shop.shopId}/orders/${orderId}`, {
          token,
        });
        expect(res.status, who).to.equal(status);
      }
      const anonymous = await stack.call(
        'orders',
        'GET',
        `/shops/${shop.shopId}/orders/${orderId}`,
      );
      expect(anonymous.status).to.equal(401);
    });

    it('refuses the QR code to customers and baristas, and hides an order from a barista of another shop', async () => {
      const shop = await newShop();
      for (const token of [await stack.token({ role: 'customer' }), shop.barista]) {
        expect(
          (await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, { token })).status,
        ).to.equal(403);
      }
      const { orderId } = await place(shop);
      const other = await newShop();
      const res = await stack.call(
        'orders',
        'POST',
        `/shops/${shop.shopId}/orders/${orderId}/claim`,
        { token: other.barista },
      );
      expect(res.status).to.equal(404);
    });
  });
});
