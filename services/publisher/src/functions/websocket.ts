import { logger } from '@espresso/runtime';
import * as z from 'zod';
import { Refused } from '../domain/connection';

/** What the route handlers read of an API Gateway WebSocket event. */
export const WebSocketEventSchema = z.object({
  requestContext: z.object({ connectionId: z.string().min(1), routeKey: z.string().optional() }),
  queryStringParameters: z.record(z.string(), z.string().optional()).nullish(),
  body: z.string().nullish(),
});
export type WebSocketEvent = z.infer<typeof WebSocketEventSchema>;

export interface RouteResult {
  statusCode: number;
  body?: string;
}

/** A message the server answers on the socket (route responses). */
export const reply = (statusCode: number, message: unknown): RouteResult => ({
  statusCode,
  body: JSON.stringify(message),
});

/**
 * Wraps a route: parses the event, turns `Refused` into its status and `{type: 'error'}`, logs
 * anything else and answers 500 without detail.
 */
export const routeHandler =
  (route: (event: WebSocketEvent) => Promise<RouteResult>) =>
  async (raw: unknown): Promise<RouteResult> => {
    const parsed = WebSocketEventSchema.safeParse(raw);
    if (!parsed.success) return reply(400, { type: 'error', error: { code: 'INVALID_REQUEST' } });
    logger.appendKeys({ connectionId: parsed.data.requestContext.connectionId });
    try {
      return await route(parsed.data);
    } catch (error) {
      if (error instanceof Refused) {
        logger.info('refused', { status: error.status, reason: error.message });
        const code = { 400: 'INVALID_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN' }[
          error.status
        ];
        return reply(error.status, { type: 'error', error: { code, message: error.message } });
      }
      logger.error('route failed', { error: error as Error });
      return reply(500, { type: 'error', error: { code: 'INTERNAL', message: 'internal error' } });
    } finally {
      logger.removeKeys(['connectionId']);
    }
  };
