import { ShopIdSchema } from '@espresso/schemas';
import { defaultConnectPorts } from '../../adapters/connectPorts';
import { Refused, ViewSchema } from '../../domain/connection';
import { connect } from '../../use-cases/connect';
import type { ConnectPorts } from '../../use-cases/ports';
import { routeHandler } from '../websocket';

/**
 * `$connect?token=<ID token>[&view=staff|display|customer][&shopId=<shop>]`: a verified token
 * opens the connection (200); anything else refuses the handshake (401, 403).
 */
export const buildHandler = (ports: () => ConnectPorts = defaultConnectPorts) =>
  routeHandler(async (event) => {
    const query = event.queryStringParameters ?? {};
    const view = query.view === undefined ? undefined : ViewSchema.safeParse(query.view);
    if (view && !view.success) throw new Refused(400, 'view must be staff, display or customer');
    if (query.shopId !== undefined && !ShopIdSchema.safeParse(query.shopId).success) {
      throw new Refused(400, 'shopId is not a valid shop id');
    }
    await connect(ports(), {
      connectionId: event.requestContext.connectionId,
      token: query.token,
      ...(view?.success ? { view: view.data } : {}),
      ...(query.shopId ? { shopId: query.shopId } : {}),
    });
    return { statusCode: 200 };
  });

export const handler = buildHandler();
