import {
  countBusiness,
  httpHandler,
  json,
  parseJsonBody,
  parsePath,
  requireIdentity,
} from '@espresso/runtime';
import { OrderPathSchema, PutOrderBodySchema } from '@espresso/schemas';
import { defaultPorts, type Ports } from '../../adapters';
import { changeOrder } from '../../use-cases/changeOrder';

/** PUT /shops/{shopId}/orders/{orderId} {drinkId, modifiers} — the order's customer. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId, orderId } = parsePath(event, OrderPathSchema);
    const selection = parseJsonBody(event, PutOrderBodySchema);
    const order = await changeOrder(ports(), {
      identity,
      shopId,
      orderId,
      action: 'select',
      selection,
    });
    countBusiness('DrinksChosen', { shopId });
    return json(200, order);
  });

export const handler = buildHandler();
