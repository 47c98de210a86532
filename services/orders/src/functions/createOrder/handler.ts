import { httpHandler, json, parseJsonBody, parsePath, requireIdentity } from '@espresso/runtime';
import { NewOrderBodySchema, ShopPathSchema } from '@espresso/schemas';
import { defaultPorts, type Ports } from '../../adapters';
import { placeOrder } from '../../use-cases/placeOrder';

/** POST /shops/{shopId}/orders {qrCode} — any signed-in customer: 202 {orderId, status}. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    const { qrCode } = parseJsonBody(event, NewOrderBodySchema);
    return json(202, await placeOrder(ports(), identity, shopId, qrCode));
  });

export const handler = buildHandler();
