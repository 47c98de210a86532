import {
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  isDetailType,
  NewOrderResponseSchema,
  type Order,
  OrderSchema,
  type PutShopConfigBody,
  QrCodeResponseSchema,
} from '@espresso/schemas';
import {
  sleep,
  startTestStack,
  type TestStack,
  testShopConfig,
  until as waitUntil,
} from '@espresso/test-support';
import { expect } from 'chai';

/*
 * What the orders service's integration tests share on the local stack: a shop of their own
 * with its staff, the display's code, orders placed and moved on, and the bus events of a shop,
 * each checked against its schema.
 */

export { sleep };

let shared: Promise<TestStack> | undefined;
/**
 * One local stack (config, orders) for all of this package's integration tests: started by the
 * first file that asks (≈ 12 s), stopped once after every file (a root hook). Each test works in
 * shops of its own, so the files do not see each other's orders.
 */
export const ordersStack = (): Promise<TestStack> => {
  shared ??= startTestStack(['config', 'orders']);
  return shared;
};
after(async () => {
  if (shared) await (await shared).stop();
});

/** Polls `probe` until it answers something; fails naming `what` after `timeoutMs`. */
export const until = <T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> => waitUntil(what, probe, timeoutMs, 100);

export type Limits = NonNullable<PutShopConfigBody['limits']>;
export type Timeouts = NonNullable<PutShopConfigBody['timeouts']>;

export const shopConfig = (
  overrides: { open?: boolean; limits?: Partial<Limits>; timeouts?: Partial<Timeouts> } = {},
): PutShopConfigBody => testShopConfig(overrides);

/** A shop and the tokens of its staff; `baristaId` is the `sub` of `barista`. */
export interface Shop {
  shopId: string;
  admin: string;
  display: string;
  barista: string;
  baristaId: string;
  barista2: string;
  barista2Id: string;
}

export interface PlacedOrder {
  orderId: string;
  /** The token of the customer who placed it. */
  customer: string;
}

export const LATTE = { drinkId: 'latte', modifiers: { Milk: 'Oat' } };

export type OrdersHarness = ReturnType<typeof ordersHarness>;

export const ordersHarness = (stack: TestStack) => {
  let run = 0;
  const prefix = `t${Date.now().toString(36)}`;

  const customer = () => stack.token({ role: 'customer' });

  /** A new shop with its own id, created through the config API by its admin. */
  const newShop = async (overrides: Parameters<typeof shopConfig>[0] = {}): Promise<Shop> => {
    const n = ++run;
    const shopId = `${prefix}-${n}`;
    const admin = await stack.token({ role: 'admin', shopId, sub: `admin-${shopId}` });
    const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
      token: admin,
      body: shopConfig(overrides),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const baristaId = `barista-${shopId}`;
    const barista2Id = `barista2-${shopId}`;
    return {
      shopId,
      admin,
      display: await stack.token({ role: 'display', shopId }),
      barista: await stack.token({ role: 'barista', shopId, sub: baristaId }),
      baristaId,
      barista2: await stack.token({ role: 'barista', shopId, sub: barista2Id }),
      barista2Id,
    };
  };

  /** The display's current code and what it still admits. */
  const qrCode = async (shop: Shop) => {
    const res = await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, {
      token: shop.display,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return QrCodeResponseSchema.parse(res.body);
  };

  /**
   * The current code, taken in a bucket that lasts at least `forMs` more, so a test that
   * reads `remaining` afterwards reads the same code.
   */
  const lastingCode = async (shop: Shop, forMs = 30_000) => {
    const current = await qrCode(shop);
    const left = Date.parse(current.expiresAt) - Date.now();
    if (left >= forMs) return current;
    await sleep(left + 100);
    return qrCode(shop);
  };

  const placeWith = (shop: Shop, token: string, code: string) =>
    stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, { token, body: { qrCode: code } });

  /** Fails unless the order was accepted (202); returns its id. */
  const acceptedId = (res: { status: number; body: unknown }) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return NewOrderResponseSchema.parse(res.body).orderId;
  };

  /** A new order of a new customer (or `token`'s), awaiting the customer's choice. */
  const place = async (shop: Shop, token?: string): Promise<PlacedOrder> => {
    const owner = token ?? (await customer());
    const res = await placeWith(shop, owner, (await qrCode(shop)).code);
    return { orderId: acceptedId(res), customer: owner };
  };

  const orderPath = (shop: Shop, orderId: string) => `/shops/${shop.shopId}/orders/${orderId}`;

  const choose = (shop: Shop, order: PlacedOrder, token = order.customer) =>
    stack.call('orders', 'PUT', orderPath(shop, order.orderId), { token, body: LATTE });

  const act = (
    shop: Shop,
    orderId: string,
    action: 'claim' | 'unclaim' | 'complete' | 'cancel',
    token: string,
  ) => stack.call('orders', 'POST', `${orderPath(shop, orderId)}/${action}`, { token });

  /** Fails unless the call answered `status`; returns the order it answered. */
  const expectOrder = (res: { status: number; body: unknown }, status = 200): Order => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    return OrderSchema.parse(res.body);
  };

  const get = async (shop: Shop, orderId: string, token = shop.barista) =>
    expectOrder(await stack.call('orders', 'GET', orderPath(shop, orderId), { token }));

  const eventsOf = (orderId: string) =>
    stack.eventBridge.events().filter((e) => e.detail.orderId === orderId);

  /** Waits for the order's first event of `type`. */
  const event = (orderId: string, type: DetailType, timeoutMs?: number) =>
    until(
      `${type} of order ${orderId}`,
      () => eventsOf(orderId).find((e) => e['detail-type'] === type),
      timeoutMs,
    );

  /** A new order the workflow waits on for the customer's choice: AWAITING_SELECTION. */
  const started = async (shop: Shop) => {
    const order = await place(shop);
    await event(order.orderId, 'OrderProcessor.WorkflowStarted');
    return order;
  };

  /** A new order the customer has chosen a drink for: QUEUED. */
  const queued = async (shop: Shop) => {
    const order = await started(shop);
    expectOrder(await choose(shop, order));
    return order;
  };

  /** A new order `barista` (the shop's first barista unless told) holds: IN_PROGRESS. */
  const inProgress = async (shop: Shop, barista = shop.barista) => {
    const order = await queued(shop);
    expectOrder(await act(shop, order.orderId, 'claim', barista));
    return order;
  };

  /** Waits for the order's first event of any of `types`. */
  const firstOf = (orderId: string, types: DetailType[], timeoutMs?: number) =>
    until(
      `${types.join(' or ')} of order ${orderId}`,
      () => eventsOf(orderId).find((e) => types.some((t) => t === e['detail-type'])),
      timeoutMs,
    );

  /** The detail-types of the order's events so far, in order. */
  const typesOf = (orderId: string) => eventsOf(orderId).map((e) => e['detail-type']);

  /**
   * Every event of the shop so far parses with the schema of its detail-type (strict: no field
   * the contract does not name) and carries no token.
   */
  const expectValidEvents = (shopId?: string) => {
    const events = stack.eventBridge
      .events()
      .filter((e) => shopId === undefined || e.detail.shopId === shopId);
    for (const e of events) {
      const type = e['detail-type'];
      expect(isDetailType(type), `unknown detail-type ${type}`).to.equal(true);
      const parsed = EVENT_DETAIL_SCHEMAS[type as DetailType].safeParse(e.detail);
      expect(parsed.success, `${type} ${JSON.stringify(e.detail)}: ${parsed.error}`).to.equal(true);
      expect(JSON.stringify(e.detail)).not.to.match(/token/i);
    }
  };

  /**
   * Serverless offline starts a new worker for each call that finds every worker of the function
   * busy, and the start counts against the function's 10 s timeout: a burst of cold calls on two
   * cores times out (offline answers a 504 error in a 200) before any rule is tested. Before a
   * burst of `n` calls of a route, this grows the route's workers with practice calls of the
   * same weight in a practice shop: redemptions of its used-up code (409) in two waves, or
   * choices for `n / 2` of its orders at once. A practice call may itself run past the timeout
   * on a loaded machine (503, patched offline): that only means the route was not warm yet, so
   * it is accepted here; the tests' own calls keep their exact expectations.
   */
  const warm = async (route: 'POST /orders' | 'PUT /orders/{orderId}', n: number) => {
    const practice = await newShop({ limits: { ordersPerCode: route === 'POST /orders' ? 1 : n } });
    if (route === 'POST /orders') {
      const token = await customer();
      const { code } = await qrCode(practice);
      await place(practice);
      for (const size of [Math.ceil(n / 3), Math.ceil((2 * n) / 3)]) {
        const results = await Promise.all(
          Array.from({ length: size }, () => placeWith(practice, token, code)),
        );
        for (const r of results) expect([409, 503], JSON.stringify(r.body)).to.include(r.status);
      }
    } else {
      const orders = await Promise.all(
        Array.from({ length: Math.ceil(n / 2) }, () => started(practice)),
      );
      for (const r of await Promise.all(orders.map((o) => choose(practice, o)))) {
        if (r.status !== 503) expectOrder(r);
      }
    }
  };

  return {
    warm,
    customer,
    newShop,
    qrCode,
    lastingCode,
    placeWith,
    acceptedId,
    place,
    orderPath,
    choose,
    act,
    expectOrder,
    get,
    started,
    queued,
    inProgress,
    eventsOf,
    event,
    firstOf,
    typesOf,
    expectValidEvents,
  };
};
