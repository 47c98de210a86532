import { countBusiness, json, parseHeader, parseJsonBody } from '@espresso/runtime';
import { IdempotencyKeySchema, NewOrderBodySchema, ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import { placeOrder } from '../../use-cases/placeOrder';
import type { Ports } from '../../use-cases/ports';
import { callerRoute } from '../callerRoute';

/**
 * POST /shops/{shopId}/orders {qrCode} — any signed-in customer: 202 {orderId, status}.
 * With an `Idempotency-Key` header a retry is answered 202 with the same order and
 * `Idempotent-Replayed: true`, and places nothing more.
 */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  callerRoute(ShopPathSchema, async ({ identity, path: { shopId }, event }) => {
    const idempotencyKey = parseHeader(event, 'Idempotency-Key', IdempotencyKeySchema);
    const { qrCode } = parseJsonBody(event, NewOrderBodySchema);
    const { replayed, ...placed } = await placeOrder(ports(), identity, shopId, qrCode, {
      idempotencyKey,
    });
    if (replayed) return json(202, placed, { 'idempotent-replayed': 'true' });
    countBusiness('OrdersPlaced', { shopId });
    return json(202, placed);
  });

export const handler = buildHandler();
