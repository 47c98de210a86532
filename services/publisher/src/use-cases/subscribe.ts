import { identityOf, mayWatch, Refused } from '../domain/connection';
import type { Ports } from './ports';

/**
 * `subscribe {shopId}`: points the connection at another shop's screens (an admin of every
 * shop picks one; a customer watches a shop's public view). Authorized with the identity the
 * connection recorded at connect. Throws `Refused`.
 */
export const subscribe = async (
  ports: Ports,
  request: { connectionId: string; shopId: string },
) => {
  const connection = await ports.connections.get(request.connectionId);
  if (!connection) throw new Refused(400, 'the connection is not known');
  if (!mayWatch(identityOf(connection), connection.view, request.shopId)) {
    throw new Refused(
      403,
      `the ${connection.view} view of shop ${request.shopId} is not granted to this token`,
    );
  }
  if (!(await ports.connections.watch(request.connectionId, request.shopId))) {
    throw new Refused(400, 'the connection is not known');
  }
  return { shopId: request.shopId, view: connection.view };
};
