import {
  MetricsResponseSchema,
  type NewOrderBody,
  NewOrderResponseSchema,
  type Order,
  OrderHistoryResponseSchema,
  OrderJourneySchema,
  OrderSchema,
  PublicShopConfigSchema,
  type PutOrderBody,
  QrCodeResponseSchema,
  QueueResponseSchema,
  type WebConfig,
} from '@espresso/schemas';
import type * as z from 'zod';
import { ApiError, apiErrorFrom } from './logic/errors';

export type BaristaAction = 'claim' | 'unclaim' | 'complete' | 'cancel';

/**
 * The config, orders and metrics APIs, typed by the zod contracts of `@espresso/schemas`: every answer
 * is parsed with its schema, every failure is an `ApiError` carrying the API's error body.
 */
export const createApi = (
  config: WebConfig,
  token: () => string | undefined,
  onUnauthorized: () => void = () => undefined,
) => {
  const call = async <S extends z.ZodType>(
    schema: S,
    base: string,
    method: string,
    route: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<z.output<S>> => {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base.replace(/\/$/, '')}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network error');
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      if (response.status === 401) onUnauthorized();
      throw apiErrorFrom(response.status, json);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(response.status, 'BAD_RESPONSE', `unexpected answer from ${route}`);
    }
    return parsed.data;
  };
  const shop = (shopId: string) => `/shops/${encodeURIComponent(shopId)}`;
  const order = (shopId: string, orderId: string) =>
    `${shop(shopId)}/orders/${encodeURIComponent(orderId)}`;
  const { config: configApi, orders: ordersApi, metrics: metricsApi } = config.api;

  return {
    shopConfig: (shopId: string) =>
      call(PublicShopConfigSchema, configApi, 'GET', `${shop(shopId)}/config`),
    setOpen: (shopId: string, open: boolean) =>
      call(PublicShopConfigSchema, configApi, 'PUT', `${shop(shopId)}/open`, { open }),
    qrCode: (shopId: string) =>
      call(QrCodeResponseSchema, ordersApi, 'GET', `${shop(shopId)}/qr-code`),
    /** `idempotencyKey`: the same for every retry of one order, so a retry places no second. */
    newOrder: (shopId: string, body: NewOrderBody, idempotencyKey: string) =>
      call(NewOrderResponseSchema, ordersApi, 'POST', `${shop(shopId)}/orders`, body, {
        'idempotency-key': idempotencyKey,
      }),
    order: (shopId: string, orderId: string): Promise<Order> =>
      call(OrderSchema, ordersApi, 'GET', order(shopId, orderId)),
    chooseDrink: (shopId: string, orderId: string, body: PutOrderBody): Promise<Order> =>
      call(OrderSchema, ordersApi, 'PUT', order(shopId, orderId), body),
    journey: (shopId: string, orderId: string) =>
      call(OrderJourneySchema, ordersApi, 'GET', `${order(shopId, orderId)}/journey`),
    history: () => call(OrderHistoryResponseSchema, ordersApi, 'GET', '/me/orders'),
    queue: (shopId: string) => call(QueueResponseSchema, ordersApi, 'GET', `${shop(shopId)}/queue`),
    act: (shopId: string, orderId: string, action: BaristaAction): Promise<Order> =>
      call(OrderSchema, ordersApi, 'POST', `${order(shopId, orderId)}/${action}`),
    /** `from`/`to` go as typed: the API checks them and its 400 names the wrong one. */
    metrics: (shopId: string, from: string, to: string) => {
      if (!metricsApi) {
        return Promise.reject(
          new Error('This stage has no metrics API (api.metrics is missing from /config.json).'),
        );
      }
      const query = new URLSearchParams({ from, to }).toString();
      return call(MetricsResponseSchema, metricsApi, 'GET', `${shop(shopId)}/metrics?${query}`);
    },
  };
};

export type Api = ReturnType<typeof createApi>;
