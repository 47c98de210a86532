import * as z from 'zod';

/** Lower-case slug used for shop and drink ids: it appears in keys, routes and event details. */
const slug = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(40, `${what} must be at most 40 characters`)
    .regex(
      /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/,
      `${what} must be lower-case letters, digits and inner dashes`,
    );

export const ShopIdSchema = slug('shopId');
export type ShopId = z.infer<typeof ShopIdSchema>;

export const DrinkIdSchema = slug('drinkId');
export type DrinkId = z.infer<typeof DrinkIdSchema>;

/** ISO-8601 UTC timestamp with milliseconds, as `new Date().toISOString()` writes it. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: false, precision: 3 });
export type IsoDateTime = z.infer<typeof IsoDateTimeSchema>;

/** A trimmed, non-empty human-readable label of bounded length. */
export const label = (what: string, max: number) =>
  z
    .string({ error: `${what} must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(max, `${what} must be at most ${max} characters`);
