import * as z from 'zod';
import { IsoDateTimeSchema, ShopIdSchema } from './common';
import { GroupSchema } from './identity';
import { IsoDateSchema } from './metrics';

/*
 * The items of the tables that are not orders or shop configs (those are `OrderItemSchema` and
 * `ShopConfigSchema`). Adapters parse what they read with these, and the system tests parse
 * every stored item after fuzzing the APIs: a write that breaks its table's contract fails.
 */

const epochSeconds = z.number().int().nonnegative();

/** orders service, QR codes table: one code per shop and time bucket, with what it still admits. */
export const QrBucketItemSchema = z.strictObject({
  shopId: ShopIdSchema,
  /** The time bucket (milliseconds since the epoch / code lifetime). */
  bucket: z.number().int().nonnegative(),
  code: z.string().min(1),
  expiresAt: IsoDateTimeSchema,
  remaining: z.number().int().min(0),
  ttl: epochSeconds,
});
export type QrBucketItem = z.infer<typeof QrBucketItemSchema>;

/**
 * orders service, counters table: a shop's open orders (capacity), its last order number, and a
 * customer's orders of one day (daily limit, expiring).
 */
export const CounterItemSchema = z.strictObject({
  shopId: ShopIdSchema,
  counter: z.union([
    z.literal('OPEN_ORDERS'),
    z.literal('ORDER_NUMBER'),
    z.string().regex(/^CUSTOMER#.+#DAY#\d{4}-\d{2}-\d{2}$/),
  ]),
  value: z.number().int().min(0),
  ttl: epochSeconds.optional(),
});
export type CounterItem = z.infer<typeof CounterItemSchema>;

/** publisher service, connections table: who a WebSocket connection is and what it watches. */
export const ConnectionItemSchema = z.strictObject({
  connectionId: z.string().min(1),
  sub: z.string().min(1),
  groups: z.array(GroupSchema),
  shopClaim: z.string().min(1).optional(),
  view: z.enum(['staff', 'display', 'customer']),
  /** Key of the sparse `byShop` index: the shop whose screens the connection is one of. */
  shopId: ShopIdSchema.optional(),
  /** Key of the sparse `byOwner` index: the `sub` of a customer-view connection. */
  ownerId: z.string().min(1).optional(),
  /** The table's TTL attribute. */
  expiresAt: epochSeconds,
  connectedAt: IsoDateTimeSchema,
});
export type ConnectionItem = z.infer<typeof ConnectionItemSchema>;

/**
 * metrics service, metrics table: one shop's day — `applied` (the endings already counted, the
 * exactly-once markers) and the counters as flat number attributes named `HH|kind|name`.
 */
export const MetricsDayItemSchema = z
  .object({
    shopId: ShopIdSchema,
    day: IsoDateSchema,
    applied: z.union([z.set(z.string().min(1)), z.array(z.string().min(1))]),
    updatedAt: IsoDateTimeSchema,
  })
  .catchall(z.number())
  .superRefine((item, ctx) => {
    for (const key of Object.keys(item)) {
      if (['shopId', 'day', 'applied', 'updatedAt'].includes(key)) continue;
      if (!/^\d{2}\|[a-z]+\|.*$/s.test(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'a counter is named HH|kind|name' });
      }
    }
  });
export type MetricsDayItem = z.infer<typeof MetricsDayItemSchema>;
