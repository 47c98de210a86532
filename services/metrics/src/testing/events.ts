import { randomUUID } from 'node:crypto';
import { type DetailInputOf, type DetailType, eventSource } from '@espresso/schemas';

/** The body of an SQS message as the endings rule delivers it: the whole event. */
export const body = <T extends DetailType>(type: T, detail: DetailInputOf<T>, id = randomUUID()) =>
  JSON.stringify({
    version: '0',
    id,
    'detail-type': type,
    source: eventSource(type),
    account: '000000000000',
    time: '2026-11-25T14:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  });

/** A completed order of `shopId` at `at`: waited 180 s, made in 60 s, by barista-1. */
export const completedDetail = (
  shopId: string,
  orderId: string,
  at: string,
  overrides: Partial<DetailInputOf<'OrderManager.OrderCompleted'>> = {},
): DetailInputOf<'OrderManager.OrderCompleted'> => {
  const t = Date.parse(at);
  return {
    version: 1,
    shopId,
    orderId,
    customerId: 'customer-1',
    at,
    baristaId: 'barista-1',
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    createdAt: new Date(t - 300_000).toISOString(),
    submittedAt: new Date(t - 240_000).toISOString(),
    claimedAt: new Date(t - 60_000).toISOString(),
    ...overrides,
  };
};
