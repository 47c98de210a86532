import { type Order, OrderSchema } from '@espresso/schemas';
import type { Answer, Http } from './http';
import { seededRandom } from './stats';
import type { Target } from './target';

/** An action a barista takes on an order. */
export type BaristaAction = 'claim' | 'complete' | 'cancel';

/** Requests sent twice, and how the copies were answered, by status. */
export interface DuplicateCount {
  sent: number;
  answers: Record<string, number>;
}

const succeeded = (status: number) => status === 200 || status === 202;

/**
 * `http` for requests that place or change an order: each is sent twice at once with
 * probability `rate`, as a phone on flaky Wi-Fi retries a request whose answer it lost. Both
 * answers count; the client keeps a success (200/202) if either got one (the other then
 * answers 409 or the same), else the first answer.
 */
export const duplicatingHttp = (
  http: Http,
  rate: number,
  seed: number,
  count: DuplicateCount,
): Http => {
  // Its own random source, so the plan of a seed is the same with or without duplicates.
  const random = seededRandom(seed + 7919);
  return async (...args) => {
    if (rate <= 0 || random() >= rate) return http(...args);
    count.sent += 1;
    const [first, second] = await Promise.all([http(...args), http(...args)]);
    for (const answer of [first, second]) {
      count.answers[answer.status] = (count.answers[answer.status] ?? 0) + 1;
    }
    return succeeded(first.status) ? first : succeeded(second.status) ? second : first;
  };
};

/** The orders API of one shop as the simulated screens call it; `change` sends the changes. */
export const ordersApi = (target: Target, shopId: string, http: Http, change: Http) => {
  const shop = `/shops/${shopId}`;
  const order = (orderId: string) => `${shop}/orders/${orderId}`;
  const read = (orderId: string, token: string): Promise<Answer> =>
    http(target.orders, 'GET', order(orderId), '/shops/{id}/orders/{id}', { token });
  return {
    qrCode: (token: string): Promise<Answer> =>
      http(target.orders, 'GET', `${shop}/qr-code`, '/shops/{id}/qr-code', { token }),
    queue: (token: string): Promise<Answer> =>
      http(target.orders, 'GET', `${shop}/queue`, '/shops/{id}/queue', { token }),
    read,
    /** The order as the API has it now, or undefined when it did not answer 200. */
    readBack: async (orderId: string, token: string): Promise<Order | undefined> => {
      const res = await read(orderId, token);
      return res.status === 200 ? OrderSchema.parse(res.body) : undefined;
    },
    /** Redeems the display's code; one key per order, so a copy or retry is the same order. */
    redeem: (token: string, qrCode: string, idempotencyKey: string): Promise<Answer> => {
      const headers = { 'idempotency-key': idempotencyKey };
      return change(target.orders, 'POST', `${shop}/orders`, '/shops/{id}/orders', {
        token,
        body: { qrCode },
        headers,
      });
    },
    choose: (orderId: string, token: string, choice: unknown): Promise<Answer> =>
      change(target.orders, 'PUT', order(orderId), '/shops/{id}/orders/{id}', {
        token,
        body: choice,
      }),
    act: (orderId: string, token: string, action: BaristaAction): Promise<Answer> =>
      change(
        target.orders,
        'POST',
        `${order(orderId)}/${action}`,
        `/shops/{id}/orders/{id}/${action}`,
        { token },
      ),
  };
};

export type OrdersApi = ReturnType<typeof ordersApi>;
