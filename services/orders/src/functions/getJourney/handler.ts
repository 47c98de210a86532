import { httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { OrderPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { getJourney } from '../../use-cases/readOrders';

/** GET /shops/{shopId}/orders/{orderId}/journey — its customer, or staff of the shop. */
export const buildHandler = (ports: () => Pick<Ports, 'orders' | 'workflows'> = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId, orderId } = parsePath(event, OrderPathSchema);
    return json(200, await getJourney(ports(), identity, shopId, orderId));
  });

export const handler = buildHandler();
