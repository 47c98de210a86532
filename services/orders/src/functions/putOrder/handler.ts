import { countBusiness, json, parseJsonBody } from '@espresso/runtime';
import { OrderPathSchema, PutOrderBodySchema } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import { changeOrder } from '../../use-cases/changeOrder';
import type { Ports } from '../../use-cases/ports';
import { callerRoute } from '../callerRoute';

/**
 * PUT /shops/{shopId}/orders/{orderId} {drinkId, modifiers} — the order's customer. 200 with the
 * order QUEUED when the workflow waited for the choice; 202 with the order still
 * AWAITING_SELECTION and the choice on it when the workflow does not wait yet (it applies the
 * choice as soon as it does).
 */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  callerRoute(OrderPathSchema, async ({ identity, path: { shopId, orderId }, event }) => {
    const selection = parseJsonBody(event, PutOrderBodySchema);
    const order = await changeOrder(ports(), {
      identity,
      shopId,
      orderId,
      action: 'select',
      selection,
    });
    countBusiness('DrinksChosen', { shopId });
    return json(order.status === 'AWAITING_SELECTION' ? 202 : 200, order);
  });

export const handler = buildHandler();
