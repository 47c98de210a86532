import { httpHandler, json, requireIdentity } from '@espresso/runtime';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { listMyOrders } from '../../use-cases/readOrders';

/** GET /me/orders — the caller's orders, newest first. */
export const buildHandler = (ports: () => Pick<Ports, 'orders'> = defaultPorts) =>
  httpHandler(async (event) => json(200, await listMyOrders(ports(), requireIdentity(event))));

export const handler = buildHandler();
