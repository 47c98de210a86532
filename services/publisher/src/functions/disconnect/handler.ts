import { defaultPorts, type Ports } from '../../adapters';
import { routeHandler } from '../websocket';

/** `$disconnect`: the connection is forgotten (best effort on AWS: the TTL covers a miss). */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  routeHandler(async (event) => {
    await ports().connections.remove(event.requestContext.connectionId);
    return { statusCode: 200 };
  });

export const handler = buildHandler();
