import { ShopIdSchema } from '@espresso/schemas';
import * as z from 'zod';
import { defaultPorts } from '../../adapters';
import { Refused } from '../../domain/connection';
import type { Ports } from '../../use-cases/ports';
import { subscribe } from '../../use-cases/subscribe';
import { reply, routeHandler } from '../websocket';

const SubscribeBodySchema = z.object({ action: z.literal('subscribe'), shopId: ShopIdSchema });

/**
 * `{"action": "subscribe", "shopId": "<shop>"}`: the connection now watches that shop's screens
 * (answers `{type: "subscribed", detail: {shopId, view}}`, or `{type: "error", error}`).
 */
export const buildHandler = (ports: () => Ports = defaultPorts) =>
  routeHandler(async (event) => {
    let body: unknown;
    try {
      body = JSON.parse(event.body ?? '');
    } catch {
      throw new Refused(400, 'the message must be JSON');
    }
    const parsed = SubscribeBodySchema.safeParse(body);
    if (!parsed.success) throw new Refused(400, 'subscribe needs a valid shopId');
    const detail = await subscribe(ports(), {
      connectionId: event.requestContext.connectionId,
      shopId: parsed.data.shopId,
    });
    return reply(200, { type: 'subscribed', detail });
  });

export const handler = buildHandler();
