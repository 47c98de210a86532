import { newConnection, Refused, resolveWatch, type View } from '../domain/connection';
import type { ConnectPorts } from './ports';

export interface ConnectRequest {
  connectionId: string;
  token: string | undefined;
  view?: View;
  shopId?: string;
}

/**
 * `$connect`: verifies the token, decides what the connection watches and records it.
 * Throws `Refused` (401 for a missing or invalid token, 403 for a view or shop it does not grant).
 */
export const connect = async (ports: ConnectPorts, request: ConnectRequest) => {
  if (!request.token) throw new Refused(401, 'a token is required: ?token=<ID token>');
  const identity = await ports.tokens.verify(request.token);
  if (!identity) throw new Refused(401, 'the token is not valid');
  const watch = resolveWatch(identity, { view: request.view, shopId: request.shopId });
  const connection = newConnection(request.connectionId, identity, watch, ports.now());
  await ports.connections.put(connection);
  return connection;
};
