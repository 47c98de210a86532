import { httpHandler, json, parsePath } from '@espresso/runtime';
import { ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { getPublicShopConfig } from '../../use-cases/readShops';

/** GET /shops/{shopId}/config — public. */
export const buildHandler = (ports: () => Pick<Ports, 'shops'> = defaultPorts) =>
  httpHandler(async (event) => {
    const { shopId } = parsePath(event, ShopPathSchema);
    return json(200, await getPublicShopConfig(ports(), shopId));
  });

export const handler = buildHandler();
