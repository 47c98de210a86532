import { randomUUID } from 'node:crypto';
import { conflict, invalidRequest, limitExceeded, notFound } from '@espresso/runtime';
import type { Identity, NewOrderResponse } from '@espresso/schemas';
import { orderIdForKey, requestDigest } from '../domain/idempotency';
import { candidateBuckets, utcDay } from '../domain/qr';
import type { Ports } from './ports';

/**
 * A signed-in customer redeems the display's code. The shop must exist and be open; the code
 * must be the current one (or the previous one within the grace window) with orders left; the
 * customer must be under the shop's daily limit. The QR count, the daily count and the order
 * are written in one transaction — and that is all: `Validator.NewOrder`, which starts the
 * OrderProcessor, is announced from the orders table's stream (`announceNewOrders`), so an
 * order is never written without its event nor announced without being written.
 *
 * With an `idempotencyKey` (the `Idempotency-Key` header) a retry places nothing more: the key
 * names the order, a stored order with that id is answered as the first answer was
 * (`replayed`) before the shop and the code are checked again (the code may have rotated since),
 * and two copies racing meet at the order's conditional put. The key sent with another code is
 * refused (409 naming `Idempotency-Key`).
 */
export const placeOrder = async (
  ports: Pick<Ports, 'shops' | 'qrCodes' | 'orders' | 'tables' | 'now'>,
  identity: Identity,
  shopId: string,
  qrCode: string,
  options: { idempotencyKey?: string | undefined } = {},
): Promise<NewOrderResponse & { replayed?: true }> => {
  const { idempotencyKey } = options;
  const orderId = idempotencyKey
    ? orderIdForKey(shopId, identity.sub, idempotencyKey)
    : randomUUID();
  const digest = idempotencyKey ? requestDigest({ qrCode }) : undefined;
  /** The answer to a retry whose order exists: the first answer again, or a 409. */
  const replay = async (): Promise<(NewOrderResponse & { replayed: true }) | undefined> => {
    if (!idempotencyKey) return undefined;
    const stored = await ports.orders.get(shopId, orderId);
    if (!stored) return undefined;
    if (stored.customerId !== identity.sub || stored.requestDigest !== digest) {
      throw conflict(
        'this Idempotency-Key was sent with another order request; use a new key for a new order',
        'Idempotency-Key',
      );
    }
    return { orderId, status: 'AWAITING_SELECTION', replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const shop = await ports.shops.get(shopId);
  if (!shop) throw notFound(`shop ${shopId} does not exist`);
  if (!shop.open) throw conflict(`shop ${shopId} is closed`);
  const nowMs = ports.now().getTime();
  let bucket: { bucket: number; expiresAt: string; remaining: number } | undefined;
  for (const candidate of candidateBuckets(nowMs, shop.limits.codeTtlSeconds)) {
    const stored = await ports.qrCodes.get(shopId, candidate);
    if (stored?.code === qrCode) {
      bucket = stored;
      break;
    }
  }
  if (!bucket)
    throw invalidRequest(
      'qrCode',
      'qrCode: the code is wrong or has expired; scan the display again',
    );

  const now = new Date(nowMs).toISOString();
  // The order as the use case knows it; its storage keys are the adapter's to add.
  const order = {
    orderId,
    shopId,
    status: 'AWAITING_SELECTION' as const,
    customerId: identity.sub,
    createdAt: now,
    updatedAt: now,
    qrBucket: bucket.bucket,
    codeExpiresAt: bucket.expiresAt,
    ...(digest === undefined ? {} : { requestDigest: digest }),
  };
  const day = utcDay(nowMs);
  const failure = await ports.orders.place({
    order,
    qr: { table: ports.tables.qrCodes, bucket: bucket.bucket, code: qrCode },
    daily: {
      table: ports.tables.counters,
      counter: `CUSTOMER#${identity.sub}#DAY#${day}`,
      limit: shop.limits.maxOrdersPerCustomerPerDay,
      ttl: Math.ceil(nowMs / 1000) + 2 * 86_400,
    },
  });
  if (failure === 'CODE_USED_UP')
    throw conflict('this code has no orders left; wait for the next one', 'qrCode');
  if (failure === 'DAILY_LIMIT') {
    throw limitExceeded(
      `at most ${shop.limits.maxOrdersPerCustomerPerDay} orders per day in this shop`,
    );
  }
  if (failure === 'DUPLICATE' || failure === 'CONTENDED') {
    // A copy of this request placed it a moment ago, or is placing it right now (DynamoDB cancels
    // a transaction that meets another on the same item); the one that lost wrote nothing.
    const placed = await replay();
    if (placed) return placed;
  }
  if (failure === 'CONTENDED')
    throw conflict('the code is in demand right now; try again', 'qrCode');
  if (failure) throw conflict('the order could not be created; try again');

  return { orderId, status: 'AWAITING_SELECTION' };
};
