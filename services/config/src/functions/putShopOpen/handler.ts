import { httpHandler, json, parseJsonBody, parsePath, requireIdentity } from '@espresso/runtime';
import { PutShopOpenBodySchema, ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { authorizeSetShopOpen, setShopOpen } from '../../use-cases/setShopOpen';

/** PUT /shops/{shopId}/open {open} — barista or admin of the shop. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    authorizeSetShopOpen(identity, shopId);
    const { open } = parseJsonBody(event, PutShopOpenBodySchema);
    return json(200, await setShopOpen(ports(), { identity, shopId, open }));
  });

export const handler = buildHandler();
