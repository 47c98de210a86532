import { httpHandler, json, parseJsonBody, parsePath, requireIdentity } from '@espresso/runtime';
import { PutShopConfigBodySchema, ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { authorizeSaveShopConfig, saveShopConfig } from '../../use-cases/saveShopConfig';

/** PUT /shops/{shopId}/config — admin of the shop: create (201) or replace (200) the config. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    // Who may do this is answered before what they sent: a wrong role is a 403, not a 400.
    authorizeSaveShopConfig(identity, shopId);
    const input = parseJsonBody(event, PutShopConfigBodySchema);
    const { config, created } = await saveShopConfig(ports(), { identity, shopId, input });
    return json(created ? 201 : 200, config);
  });

export const handler = buildHandler();
