import { defaultPorts } from '../../adapters';
import { disconnect } from '../../use-cases/disconnect';
import type { Ports } from '../../use-cases/ports';
import { routeHandler } from '../websocket';

/** `$disconnect`: the connection is forgotten (best effort on AWS: the TTL covers a miss). */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  routeHandler(async (event) => {
    await disconnect(ports(), event.requestContext.connectionId);
    return { statusCode: 200 };
  });

export const handler = buildHandler();
