import { NewOrderResponseSchema, type PutShopConfigBody } from '@espresso/schemas';
import { type TestStack, testShopConfig, until as waitUntil } from '@espresso/test-support';
import { expect } from 'chai';
import WebSocket from 'ws';

/*
 * What the publisher's integration tests share on the local stack: shops with their staff,
 * orders moved through the orders API, and real WebSocket clients that keep every message.
 */

export { sleep } from '@espresso/test-support';

/** Polls `probe` until it answers something; fails naming `what` after `timeoutMs`. */
export const until = <T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> => waitUntil(what, probe, timeoutMs, 20);

/** A message as a screen receives it. */
export interface Pushed {
  type: string;
  detail: Record<string, unknown> & { shopId: string; orderId?: string };
  at: string;
  /** When this client received it (ms since epoch). */
  receivedAt: number;
}

export interface Screen {
  messages: Pushed[];
  /** The first message (received so far or later) that matches; fails after `timeoutMs`. */
  next(what: string, match: (m: Pushed) => boolean, timeoutMs?: number): Promise<Pushed>;
  /** Sends a JSON message and waits for the route's reply. */
  request(message: unknown): Promise<Record<string, unknown>>;
  close(): Promise<void>;
  /** Drops the TCP connection without a close frame (a phone losing its network). */
  terminate(): void;
}

/** Opens `ws://…?token=…[&view][&shopId]`; rejects with the HTTP status if the handshake is refused. */
export const openScreen = (
  stack: TestStack,
  query: { token?: string; view?: string; shopId?: string },
): Promise<Screen> => {
  const base = stack.endpoints.publisher?.ws;
  if (!base) throw new Error('the stack runs no publisher');
  const params = new URLSearchParams(
    Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const socket = new WebSocket(`${base}?${params}`);
  const messages: Pushed[] = [];
  const replies: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    const parsed = JSON.parse(String(data)) as Record<string, unknown>;
    if (parsed.type === 'subscribed' || parsed.type === 'error') replies.push(parsed);
    else messages.push({ ...(parsed as unknown as Pushed), receivedAt: Date.now() });
  });
  const screen: Screen = {
    messages,
    next: (what, match, timeoutMs = 10_000) => until(what, () => messages.find(match), timeoutMs),
    async request(message) {
      const before = replies.length;
      socket.send(JSON.stringify(message));
      return until('a reply', () => replies[before]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
    terminate: () => socket.terminate(),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(screen));
    socket.once('unexpected-response', (_req, res) => {
      reject(
        Object.assign(new Error(`handshake refused: ${res.statusCode}`), {
          status: res.statusCode,
        }),
      );
      socket.terminate();
    });
    socket.once('error', reject);
  });
};

/** The HTTP status a refused handshake answered (fails if the connection opened). */
export const refusal = async (stack: TestStack, query: Parameters<typeof openScreen>[1]) => {
  try {
    const screen = await openScreen(stack, query);
    await screen.close();
  } catch (error) {
    return (error as { status?: number }).status;
  }
  throw new Error('the connection was accepted');
};

export const shopConfig = (): PutShopConfigBody => testShopConfig({ name: 'Publisher test bar' });

export interface Shop {
  shopId: string;
  admin: string;
  display: string;
  barista: string;
  baristaId: string;
}

export const harness = (stack: TestStack) => {
  let run = 0;
  const prefix = `p${Date.now().toString(36)}`;

  const newShop = async (): Promise<Shop> => {
    const shopId = `${prefix}-${++run}`;
    const admin = await stack.token({ role: 'admin', shopId, sub: `admin-${shopId}` });
    const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
      token: admin,
      body: shopConfig(),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const baristaId = `barista-${shopId}`;
    return {
      shopId,
      admin,
      display: await stack.token({ role: 'display', shopId, sub: `display-${shopId}` }),
      barista: await stack.token({ role: 'barista', shopId, sub: baristaId }),
      baristaId,
    };
  };

  const customer = async (sub = `customer-${prefix}-${++run}`) => ({
    sub,
    token: await stack.token({ role: 'customer', sub }),
  });

  /** Redeems the display's code: a new order awaiting the customer's choice. */
  const place = async (shop: Shop, token: string) => {
    const qr = await stack.call('orders', 'GET', `/shops/${shop.shopId}/qr-code`, {
      token: shop.display,
    });
    expect(qr.status, JSON.stringify(qr.body)).to.equal(200);
    const { code } = qr.body as { code: string };
    const res = await stack.call('orders', 'POST', `/shops/${shop.shopId}/orders`, {
      token,
      body: { qrCode: code },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    return NewOrderResponseSchema.parse(res.body).orderId;
  };

  /** The customer chooses a latte (the workflow must be waiting for it). */
  const choose = async (shop: Shop, orderId: string, token: string) => {
    const res = await stack.call('orders', 'PUT', `/shops/${shop.shopId}/orders/${orderId}`, {
      token,
      body: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };

  const act = async (
    shop: Shop,
    orderId: string,
    action: 'claim' | 'unclaim' | 'complete' | 'cancel',
    token = shop.barista,
  ) => {
    const res = await stack.call(
      'orders',
      'POST',
      `/shops/${shop.shopId}/orders/${orderId}/${action}`,
      { token },
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };

  /** Waits until the bus carried `type` for the order. */
  const busEvent = (orderId: string, type: string) =>
    until(`${type} of ${orderId} on the bus`, () =>
      stack.eventBridge
        .events()
        .find((e) => e.detail.orderId === orderId && e['detail-type'] === type),
    );

  const busTypes = (orderId: string) =>
    stack.eventBridge
      .events()
      .filter((e) => e.detail.orderId === orderId)
      .map((e) => e['detail-type']);

  return { newShop, customer, place, choose, act, busEvent, busTypes };
};
