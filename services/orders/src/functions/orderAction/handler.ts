import { countBusiness, httpHandler, json, parsePath, requireIdentity } from '@espresso/runtime';
import { OrderPathSchema } from '@espresso/schemas';
import * as z from 'zod';
import { defaultPorts } from '../../adapters';
import { changeOrder } from '../../use-cases/changeOrder';
import type { Ports } from '../../use-cases/ports';

const PathSchema = OrderPathSchema.extend({
  action: z.enum(['claim', 'unclaim', 'complete', 'cancel'], {
    error: 'action must be claim, unclaim, complete or cancel',
  }),
});

/** POST /shops/{shopId}/orders/{orderId}/{claim|unclaim|complete|cancel}. */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    const { shopId, orderId, action } = parsePath(event, PathSchema);
    const order = await changeOrder(ports(), { identity, shopId, orderId, action });
    countBusiness('OrderActions', { shopId, action });
    return json(200, order);
  });

export const handler = buildHandler();
