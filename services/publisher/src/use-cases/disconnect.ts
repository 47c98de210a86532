import type { Ports } from './ports';

/** `$disconnect`: the connection is forgotten (best effort on AWS: the TTL covers a miss). */
export const disconnect = async (
  ports: Pick<Ports, 'connections'>,
  connectionId: string,
): Promise<void> => {
  await ports.connections.remove(connectionId);
};
