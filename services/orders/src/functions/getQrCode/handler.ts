import { httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { ShopPathSchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { getQrCode } from '../../use-cases/qrCode';

/** GET /shops/{shopId}/qr-code — display or admin of the shop. */
export const buildHandler = (
  ports: () => Pick<Ports, 'shops' | 'qrCodes' | 'now'> = defaultPorts,
) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId } = parsePath(event, ShopPathSchema);
    return json(200, await getQrCode(ports(), identity, shopId));
  });

export const handler = buildHandler();
