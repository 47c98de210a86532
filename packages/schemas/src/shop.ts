import * as z from 'zod';
import { DrinkIdSchema, IsoDateTimeSchema, label, ShopIdSchema } from './common';

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

/** A modifier group such as Milk: Regular | Oat. The customer picks exactly one option. */
export const ModifierGroupSchema = z.strictObject({
  name: label('modifier name', 40),
  options: z
    .array(label('modifier option', 40))
    .min(1, 'a modifier group needs at least one option')
    .max(20, 'a modifier group has at most 20 options')
    .refine(unique, 'modifier options must be unique'),
});
export type ModifierGroup = z.infer<typeof ModifierGroupSchema>;

export const DrinkSchema = z.strictObject({
  drinkId: DrinkIdSchema,
  name: label('drink name', 60),
  /** Icon slug; the web app maps it to an image. */
  icon: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[a-z0-9][a-z0-9_.@-]*$/i, 'icon must be a slug (letters, digits, _ . @ -)'),
  available: z.boolean(),
  modifiers: z
    .array(ModifierGroupSchema)
    .max(10, 'a drink has at most 10 modifier groups')
    .refine((groups) => unique(groups.map((g) => g.name)), 'modifier group names must be unique')
    .default([]),
});
export type Drink = z.infer<typeof DrinkSchema>;

/**
 * The menu travels whole in the config item (DynamoDB: 400 KB) and in every ConfigChanged
 * event (EventBridge: 256 KB), so its JSON is capped well below both.
 */
export const MAX_MENU_BYTES = 64 * 1024;
const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export const MenuSchema = z
  .array(DrinkSchema)
  .min(1, 'the menu needs at least one drink')
  .max(50, 'the menu has at most 50 drinks')
  .refine((drinks) => unique(drinks.map((d) => d.drinkId)), 'drinkId values must be unique')
  .refine(
    (drinks) => jsonBytes(drinks) <= MAX_MENU_BYTES,
    `the menu is too large: at most ${MAX_MENU_BYTES} bytes of JSON`,
  );
export type Menu = z.infer<typeof MenuSchema>;

const int = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);

export const ShopLimitsSchema = z.strictObject({
  /** Orders one QR code admits before it is used up. */
  ordersPerCode: int('ordersPerCode', 1, 1000).default(10),
  /** How long one QR code is valid. */
  codeTtlSeconds: int('codeTtlSeconds', 30, 3600).default(300),
  /** Open (not yet finished) orders the shop takes at once: the capacity check. */
  maxOpenOrders: int('maxOpenOrders', 1, 1000).default(20),
  /** Orders one customer may place per UTC day in this shop. */
  maxOrdersPerCustomerPerDay: int('maxOrdersPerCustomerPerDay', 1, 100).default(3),
});
export type ShopLimits = z.infer<typeof ShopLimitsSchema>;

export const ShopTimeoutsSchema = z.strictObject({
  /** How long the workflow waits for the customer to choose a drink. */
  customerSeconds: int('customerSeconds', 5, 3600).default(300),
  /** How long the workflow waits for a barista to complete or cancel. */
  baristaSeconds: int('baristaSeconds', 5, 7200).default(900),
});
export type ShopTimeouts = z.infer<typeof ShopTimeoutsSchema>;

/** Body of `PUT /shops/{shopId}/config` (admin): the whole config; the shop id is the path's. */
export const PutShopConfigBodySchema = z.strictObject({
  name: label('name', 80),
  open: z.boolean({ error: 'open must be true or false' }),
  menu: MenuSchema,
  limits: ShopLimitsSchema.default(ShopLimitsSchema.parse({})),
  timeouts: ShopTimeoutsSchema.default(ShopTimeoutsSchema.parse({})),
});
export type PutShopConfigBody = z.input<typeof PutShopConfigBodySchema>;

/** One shop's whole config: the config table's item and the admin's view. */
export const ShopConfigSchema = z.strictObject({
  shopId: ShopIdSchema,
  name: label('name', 80),
  open: z.boolean(),
  menu: MenuSchema,
  limits: ShopLimitsSchema,
  timeouts: ShopTimeoutsSchema,
  /** Incremented on every write; writes are conditional on it. */
  version: z.number().int().min(1),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
  /**
   * What the last write was, stored by the writer in that same write: the table's stream
   * announces it as `ConfigService.ConfigChanged.change` (the outbox).
   */
  lastChange: z.enum(['CREATED', 'UPDATED', 'OPENED', 'CLOSED']).optional(),
});
export type ShopConfig = z.infer<typeof ShopConfigSchema>;

/** `GET /shops/{shopId}/config` (public): what a customer's phone needs, nothing more. */
export const PublicShopConfigSchema = z.strictObject({
  shopId: ShopIdSchema,
  name: z.string(),
  open: z.boolean(),
  menu: MenuSchema,
  limits: ShopLimitsSchema.pick({ maxOrdersPerCustomerPerDay: true }),
  timeouts: ShopTimeoutsSchema.pick({ customerSeconds: true }),
  updatedAt: IsoDateTimeSchema,
});
export type PublicShopConfig = z.infer<typeof PublicShopConfigSchema>;

export const toPublicShopConfig = (config: ShopConfig): PublicShopConfig => ({
  shopId: config.shopId,
  name: config.name,
  open: config.open,
  menu: config.menu,
  limits: { maxOrdersPerCustomerPerDay: config.limits.maxOrdersPerCustomerPerDay },
  timeouts: { customerSeconds: config.timeouts.customerSeconds },
  updatedAt: config.updatedAt,
});

/** Body of `PUT /shops/{shopId}/open`. */
export const PutShopOpenBodySchema = z.strictObject({
  open: z.boolean({ error: 'open must be true or false' }),
});
export type PutShopOpenBody = z.infer<typeof PutShopOpenBodySchema>;

/** A shop in the admin's list: the public view's name, state and last change. */
export const ShopSummarySchema = PublicShopConfigSchema.pick({
  shopId: true,
  name: true,
  open: true,
  updatedAt: true,
});
export type ShopSummary = z.infer<typeof ShopSummarySchema>;

/** `GET /shops` (admin). */
export const ShopListSchema = z.strictObject({ shops: z.array(ShopSummarySchema) });
export type ShopList = z.infer<typeof ShopListSchema>;

/** Path parameters of every `/shops/{shopId}/…` route. */
export const ShopPathSchema = z.object({ shopId: ShopIdSchema });
