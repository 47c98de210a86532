import { ErrorBodySchema, OrderHistoryResponseSchema, type OrderStatus } from '@espresso/schemas';
import type { TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import {
  LATTE,
  type OrdersHarness,
  ordersHarness,
  ordersStack,
  type PlacedOrder,
  type Shop,
} from './helpers';

/**
 * Who may call which route of the orders API, on the local stack: every route against every
 * kind of caller, each mutating case on a fresh order (in its own shop) in the status where
 * only the caller's role decides. Then the conflicts left once a barista holds an order.
 */
describe('who may do what on the orders API (local stack)', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let h: OrdersHarness;
  /** A shop whose staff must get nothing from the shops under test. */
  let otherShop: Shop;

  before(async function () {
    this.timeout(240_000);
    stack = await ordersStack();
    h = ordersHarness(stack);
    otherShop = await h.newShop();
  });
  after(async () => {
    if (stack) h.expectValidEvents();
  });

  const CALLERS = [
    'anonymous',
    'the customer who placed the order',
    'another customer',
    'a barista of the shop',
    'a barista of another shop',
    'the admin of the shop',
    'the display of the shop',
  ] as const;
  type Caller = (typeof CALLERS)[number];

  /** The caller's token (none for anonymous); the shop's barista is the one holding any claim. */
  const tokenOf = async (caller: Caller, shop: Shop, order: PlacedOrder) => {
    switch (caller) {
      case 'anonymous':
        return undefined;
      case 'the customer who placed the order':
        return order.customer;
      case 'another customer':
        return h.customer();
      case 'a barista of the shop':
        return shop.barista;
      case 'a barista of another shop':
        return otherShop.barista;
      case 'the admin of the shop':
        return shop.admin;
      case 'the display of the shop':
        return shop.display;
    }
  };

  type Given = 'no order' | 'AWAITING_SELECTION' | 'QUEUED' | 'IN_PROGRESS';

  interface Route {
    route: string;
    /** The order each case starts from; a mutating route gets a fresh one per case. */
    given: Given;
    mutating: boolean;
    call: (
      shop: Shop,
      order: PlacedOrder,
      token: string | undefined,
    ) => Promise<{ status: number; body: unknown }>;
    expected: Record<Caller, number>;
    /** The status the order has after the call succeeded. */
    after?: OrderStatus;
    /** More to check on a successful answer. */
    check?: (body: unknown, caller: Caller, order: PlacedOrder) => void;
  }

  const staffOnly = (ok: number, also: Partial<Record<Caller, number>> = {}) => ({
    anonymous: 401,
    'the customer who placed the order': 403,
    'another customer': 403,
    'a barista of the shop': ok,
    'a barista of another shop': 403,
    'the admin of the shop': ok,
    'the display of the shop': 403,
    ...also,
  });

  const action =
    (name: 'claim' | 'unclaim' | 'complete' | 'cancel') =>
    (shop: Shop, order: PlacedOrder, token: string | undefined) =>
      stack.call('orders', 'POST', `${h.orderPath(shop, order.orderId)}/${name}`, { token });

  const ROUTES: Route[] = [
    {
      route: 'GET /shops/{shopId}/qr-code',
      given: 'no order',
      mutating: false,
      call: (shop, _, token) =>
        stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, { token }),
      expected: staffOnly(200, {
        'a barista of the shop': 403,
        'the display of the shop': 200,
      }),
    },
    {
      route: 'POST /shops/{shopId}/orders',
      given: 'no order',
      mutating: true,
      // Any signed-in user is also a customer: staff may order too.
      call: async (shop, _, token) =>
        stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
          token,
          body: { qrCode: (await h.qrCode(shop)).code },
        }),
      expected: {
        anonymous: 401,
        'the customer who placed the order': 202,
        'another customer': 202,
        'a barista of the shop': 202,
        'a barista of another shop': 202,
        'the admin of the shop': 202,
        'the display of the shop': 202,
      },
    },
    {
      route: 'GET /shops/{shopId}/orders/{orderId}',
      given: 'AWAITING_SELECTION',
      mutating: false,
      call: (shop, order, token) =>
        stack.call('orders', 'GET', h.orderPath(shop, order.orderId), { token }),
      // Not the caller's order and no such order look the same: 404.
      expected: {
        anonymous: 401,
        'the customer who placed the order': 200,
        'another customer': 404,
        'a barista of the shop': 200,
        'a barista of another shop': 404,
        'the admin of the shop': 200,
        'the display of the shop': 200,
      },
    },
    {
      route: 'GET /me/orders',
      given: 'AWAITING_SELECTION',
      mutating: false,
      call: (_, __, token) => stack.call('orders', 'GET', '/me/orders', { token }),
      // Everyone signed in has a history; only the owner's holds the order.
      check: (body, caller, order) => {
        const mine = OrderHistoryResponseSchema.parse(body).orders.map((o) => o.orderId);
        expect(mine.includes(order.orderId)).to.equal(
          caller === 'the customer who placed the order',
        );
      },
      expected: {
        anonymous: 401,
        'the customer who placed the order': 200,
        'another customer': 200,
        'a barista of the shop': 200,
        'a barista of another shop': 200,
        'the admin of the shop': 200,
        'the display of the shop': 200,
      },
    },
    {
      route: 'PUT /shops/{shopId}/orders/{orderId}',
      given: 'AWAITING_SELECTION',
      mutating: true,
      call: (shop, order, token) =>
        stack.call('orders', 'PUT', h.orderPath(shop, order.orderId), { token, body: LATTE }),
      expected: {
        ...staffOnly(403),
        'the customer who placed the order': 200,
      },
      after: 'QUEUED',
    },
    {
      route: 'GET /shops/{shopId}/queue',
      given: 'QUEUED',
      mutating: false,
      call: (shop, _, token) =>
        stack.call('orders', 'GET', `/shops/${shop.shopId}/queue`, { token }),
      expected: staffOnly(200, { 'the display of the shop': 200 }),
    },
    {
      route: 'POST /shops/{shopId}/orders/{orderId}/claim',
      given: 'QUEUED',
      mutating: true,
      call: action('claim'),
      expected: staffOnly(200),
      after: 'IN_PROGRESS',
    },
    {
      route: 'POST /shops/{shopId}/orders/{orderId}/unclaim',
      given: 'IN_PROGRESS',
      mutating: true,
      call: action('unclaim'),
      expected: staffOnly(200),
      after: 'QUEUED',
    },
    {
      route: 'POST /shops/{shopId}/orders/{orderId}/complete',
      given: 'IN_PROGRESS',
      mutating: true,
      call: action('complete'),
      expected: staffOnly(200),
      after: 'COMPLETED',
    },
    {
      route: 'POST /shops/{shopId}/orders/{orderId}/cancel',
      given: 'QUEUED',
      mutating: true,
      call: action('cancel'),
      // The owner may cancel until a barista claims the order (see the conflicts below).
      expected: staffOnly(200, { 'the customer who placed the order': 200 }),
      after: 'CANCELLED',
    },
  ];

  // Someone with no business with an order (another customer, another shop's staff) cannot
  // tell it from one that does not exist: 404 on every order route, as on GET.
  for (const route of ROUTES) {
    if (route.mutating && route.route.includes('{orderId}')) {
      route.expected = {
        ...route.expected,
        'another customer': 404,
        'a barista of another shop': 404,
      };
    }
  }

  /** A shop of its own with an order in `given` (the shop's barista holds it when claimed). */
  const fixture = async (given: Given) => {
    const shop = await h.newShop();
    const order: PlacedOrder =
      given === 'no order'
        ? { orderId: 'none', customer: await h.customer() }
        : given === 'AWAITING_SELECTION'
          ? await h.started(shop)
          : given === 'QUEUED'
            ? await h.queued(shop)
            : await h.inProgress(shop);
    return { shop, order };
  };

  for (const r of ROUTES) {
    describe(`${r.route}${r.given === 'no order' ? '' : ` (order ${r.given})`}`, () => {
      /** One fixture per caller for a mutating route, one shared by every caller otherwise. */
      const fixtures = new Map<Caller, { shop: Shop; order: PlacedOrder }>();
      before(async function () {
        this.timeout(60_000);
        if (r.mutating) {
          const made = await Promise.all(
            CALLERS.map(async (c) => [c, await fixture(r.given)] as const),
          );
          for (const [caller, f] of made) fixtures.set(caller, f);
        } else {
          const shared = await fixture(r.given);
          for (const caller of CALLERS) fixtures.set(caller, shared);
        }
      });

      for (const caller of CALLERS) {
        const status = r.expected[caller];
        const who =
          r.given === 'no order' && caller === 'the customer who placed the order'
            ? 'a customer'
            : caller;
        it(`answers ${status} to ${who}`, async () => {
          const f = fixtures.get(caller);
          if (!f) throw new Error(`no fixture for ${caller}`);
          const { shop, order } = f;
          const res = await r.call(shop, order, await tokenOf(caller, shop, order));
          expect(res.status, JSON.stringify(res.body)).to.equal(status);
          if (status === 403 || status === 404) {
            expect(ErrorBodySchema.parse(res.body).error.code).to.equal(
              status === 403 ? 'FORBIDDEN' : 'NOT_FOUND',
            );
          }
          if (r.given !== 'no order') {
            // A refused call changed nothing; an allowed change moved the order on.
            const now = await h.get(shop, order.orderId);
            expect(now.status).to.equal(status < 300 && r.after ? r.after : r.given);
          }
          if (status < 300) r.check?.(res.body, caller, order);
          h.expectValidEvents(shop.shopId);
        });
      }
    });
  }

  describe('once a barista holds the order', () => {
    const conflicts = [
      {
        name: 'refuses its customer a cancel with 409',
        action: 'cancel' as const,
        by: (_: Shop, order: PlacedOrder) => order.customer,
      },
      {
        name: 'refuses a complete by a barista who does not hold it with 409',
        action: 'complete' as const,
        by: (shop: Shop) => shop.barista2,
      },
      {
        name: 'refuses an unclaim by a barista who does not hold it with 409',
        action: 'unclaim' as const,
        by: (shop: Shop) => shop.barista2,
      },
    ];
    for (const c of conflicts) {
      it(`${c.name}, and the order stays with its barista`, async () => {
        const shop = await h.newShop();
        const order = await h.inProgress(shop);
        const res = await h.act(shop, order.orderId, c.action, c.by(shop, order));
        expect(res.status, JSON.stringify(res.body)).to.equal(409);
        expect(ErrorBodySchema.parse(res.body).error).to.include({
          code: 'CONFLICT',
          field: 'status',
        });
        expect(await h.get(shop, order.orderId)).to.include({
          status: 'IN_PROGRESS',
          baristaId: shop.baristaId,
        });
        h.expectValidEvents(shop.shopId);
      });
    }
  });
});
