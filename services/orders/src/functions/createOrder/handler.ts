import {
  countBusiness,
  httpHandler,
  json,
  parseJsonBody,
  parsePath,
  requireIdentity,
} from '@espresso/runtime';
import { NewOrderBodySchema, ShopPathSchema } from '@espresso/schemas';
import { defaultPorts, type Ports } from '../../adapters';
import { placeOrder } from '../../use-cases/placeOrder';

/** POST /shops/{shopId}/orders {qrCode} — any signed-in customer: 202 {orderId, status}. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    const { qrCode } = parseJsonBody(event, NewOrderBodySchema);
    const placed = await placeOrder(ports(), identity, shopId, qrCode);
    countBusiness('OrdersPlaced', { shopId });
    return json(202, placed);
  });

export const handler = buildHandler();
