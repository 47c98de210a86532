import { httpHandler, json, requireIdentity } from '@espresso/runtime';
import type { ShopList } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { listShops } from '../../use-cases/readShops';

/** GET /shops — admin: the shops they manage. */
export const buildHandler = (ports: () => Pick<Ports, 'shops'> = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const body: ShopList = { shops: await listShops(ports(), identity) };
    return json(200, body);
  });

export const handler = buildHandler();
