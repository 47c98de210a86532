import { httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { getQueue } from '../../use-cases/readOrders';

/** GET /shops/{shopId}/queue — barista, display or admin of the shop. */
export const buildHandler = (ports: () => Pick<Ports, 'orders'> = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    return json(200, await getQueue(ports(), identity, shopId));
  });

export const handler = buildHandler();
