import { httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { readMetrics } from '../../use-cases/readMetrics';

/** GET /shops/{shopId}/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD — baristas and admins of the shop. */
export const buildHandler = (ports: () => Pick<Ports, 'table'> = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    const query = event.queryStringParameters ?? {};
    return json(200, await readMetrics(ports().table, identity, shopId, query));
  });

export const handler = buildHandler();
