import { httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { ShopPathSchema } from '@espresso/schemas';
import { defaultPorts, type Ports } from '../../adapters';
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
