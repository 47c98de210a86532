import * as z from 'zod';
import { DrinkIdSchema, IsoDateTimeSchema, ShopIdSchema } from './common';
import type { Drink } from './shop';

// ---------------------------------------------------------------------------------------------
// Status and transitions
// ---------------------------------------------------------------------------------------------

/**
 * Where an order is in its journey.
 * - `AWAITING_SELECTION`: the code was redeemed; the workflow waits for the customer's drink.
 * - `QUEUED`: the drink is chosen (and numbered); it waits for a barista.
 * - `IN_PROGRESS`: a barista claimed it.
 * - `COMPLETED`, `CANCELLED`, `TIMED_OUT`, `REJECTED` (shop closed or full): terminal.
 */
export const OrderStatusSchema = z.enum([
  'AWAITING_SELECTION',
  'QUEUED',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
  'TIMED_OUT',
  'REJECTED',
]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** Every status, in journey order. */
export const ORDER_STATUSES: readonly OrderStatus[] = OrderStatusSchema.options;

/** Statuses an order never leaves. */
export const TERMINAL_STATUSES = Object.freeze([
  'COMPLETED',
  'CANCELLED',
  'TIMED_OUT',
  'REJECTED',
] as const) satisfies readonly OrderStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export const isTerminalStatus = (status: OrderStatus): status is TerminalStatus =>
  (TERMINAL_STATUSES as readonly OrderStatus[]).includes(status);

/**
 * The allowed status changes; every write to an order checks its current status against this
 * table in a DynamoDB condition (see `allowedPreviousStatuses`).
 * `IN_PROGRESS -> QUEUED` is a barista unclaiming the order.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> =
  Object.freeze({
    AWAITING_SELECTION: Object.freeze(['QUEUED', 'CANCELLED', 'TIMED_OUT', 'REJECTED'] as const),
    QUEUED: Object.freeze(['IN_PROGRESS', 'CANCELLED', 'TIMED_OUT'] as const),
    IN_PROGRESS: Object.freeze(['QUEUED', 'COMPLETED', 'CANCELLED', 'TIMED_OUT'] as const),
    COMPLETED: Object.freeze([] as const),
    CANCELLED: Object.freeze([] as const),
    TIMED_OUT: Object.freeze([] as const),
    REJECTED: Object.freeze([] as const),
  });

/** True when an order in status `from` may move to `to`. */
export const canTransition = (from: OrderStatus, to: OrderStatus): boolean =>
  ORDER_TRANSITIONS[from].includes(to);

/**
 * The statuses from which `to` is reachable, in journey order: the `IN` list of a DynamoDB
 * condition such as `#status IN (:s0, :s1)`. Empty for a status nothing leads to.
 */
export const allowedPreviousStatuses = (to: OrderStatus): OrderStatus[] =>
  ORDER_STATUSES.filter((from) => canTransition(from, to));

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Order ids are minted by the validator (URL-safe random ids); they appear in keys and routes. */
export const OrderIdSchema = z
  .string({ error: 'orderId must be a string' })
  .min(1, 'orderId must not be empty')
  .max(64, 'orderId must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'orderId must be letters, digits, _ and -');
export type OrderId = z.infer<typeof OrderIdSchema>;

/** A Cognito user (`sub` claim): the customer who owns an order or the barista who holds it. */
export const UserIdSchema = z
  .string({ error: 'user id must be a string' })
  .min(1, 'user id must not be empty')
  .max(128, 'user id must be at most 128 characters');
export type UserId = z.infer<typeof UserIdSchema>;

/** The human-readable number a shop calls out; from the shop's atomic counter. */
export const OrderNumberSchema = z
  .number({ error: 'orderNumber must be a number' })
  .int('orderNumber must be a whole number')
  .positive('orderNumber must be positive');

/**
 * The code shown on the display's QR (or typed by the customer). Surrounding spaces are
 * ignored, the rest is taken as is (case-sensitive).
 */
export const QrCodeSchema = z
  .string({ error: 'qrCode must be a string' })
  .trim()
  .min(1, 'qrCode must not be empty')
  .max(64, 'qrCode must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'qrCode must be letters, digits, _ and -');

const MAX_MODIFIER_GROUPS = 10;
const MAX_MODIFIER_TEXT = 40;

/**
 * The customer's choices: modifier group name -> the one chosen option, e.g. `{Milk: 'Oat'}`.
 * Names are matched against the menu exactly (see `validateSelection`). Group names are checked
 * here rather than by a key schema so that an issue names the group and says what is wrong.
 */
export const ModifierChoiceSchema = z
  .record(
    z.string(),
    z
      .string({ error: 'modifier option must be a string' })
      .min(1, 'modifier option must not be empty')
      .max(MAX_MODIFIER_TEXT, `modifier option must be at most ${MAX_MODIFIER_TEXT} characters`),
  )
  .superRefine((choice, ctx) => {
    const groups = Object.keys(choice);
    if (groups.length > MAX_MODIFIER_GROUPS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_MODIFIER_GROUPS} modifier groups` });
    }
    for (const group of groups) {
      if (group.length === 0 || group.length > MAX_MODIFIER_TEXT) {
        ctx.addIssue({
          code: 'custom',
          path: [group],
          message: `modifier group names have 1 to ${MAX_MODIFIER_TEXT} characters`,
        });
      }
    }
  });
export type ModifierChoice = z.infer<typeof ModifierChoiceSchema>;

/**
 * Why an order ended other than completed. Each reason belongs to exactly one status:
 * - `CLOSED`, `AT_CAPACITY` -> `REJECTED` (the workflow's shop checks);
 * - `CUSTOMER_TIMEOUT`, `BARISTA_TIMEOUT` -> `TIMED_OUT` (which wait ran out);
 * - `CANCELLED_BY_CUSTOMER`, `CANCELLED_BY_BARISTA` -> `CANCELLED` (who cancelled; an admin
 *   acting on the shop counts as a barista).
 */
export const OrderReasonSchema = z.enum([
  'CLOSED',
  'AT_CAPACITY',
  'CUSTOMER_TIMEOUT',
  'BARISTA_TIMEOUT',
  'CANCELLED_BY_CUSTOMER',
  'CANCELLED_BY_BARISTA',
]);
export type OrderReason = z.infer<typeof OrderReasonSchema>;

/** The status each reason explains. */
export const REASON_STATUS: Readonly<Record<OrderReason, OrderStatus>> = Object.freeze({
  CLOSED: 'REJECTED',
  AT_CAPACITY: 'REJECTED',
  CUSTOMER_TIMEOUT: 'TIMED_OUT',
  BARISTA_TIMEOUT: 'TIMED_OUT',
  CANCELLED_BY_CUSTOMER: 'CANCELLED',
  CANCELLED_BY_BARISTA: 'CANCELLED',
});

// ---------------------------------------------------------------------------------------------
// The order: API DTO and table item
// ---------------------------------------------------------------------------------------------

const orderShape = {
  orderId: OrderIdSchema,
  shopId: ShopIdSchema,
  status: OrderStatusSchema,
  orderNumber: OrderNumberSchema.optional(),
  drinkId: DrinkIdSchema.optional(),
  modifiers: ModifierChoiceSchema.optional(),
  customerId: UserIdSchema,
  /** The barista holding the order (IN_PROGRESS) or who completed it. */
  baristaId: UserIdSchema.optional(),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
  reason: OrderReasonSchema.optional(),
};

/** Statuses that imply a chosen drink, and those that imply a barista. */
const HAS_DRINK: readonly OrderStatus[] = ['QUEUED', 'IN_PROGRESS', 'COMPLETED'];
const HAS_BARISTA: readonly OrderStatus[] = ['IN_PROGRESS', 'COMPLETED'];

type OrderFacts = Pick<
  z.infer<z.ZodObject<typeof orderShape>>,
  'status' | 'drinkId' | 'baristaId' | 'reason'
>;

/** Facts the transition table implies: a reason fits its status, a queued order has a drink … */
const checkOrderFacts = (order: OrderFacts, ctx: z.RefinementCtx): void => {
  if (order.reason !== undefined && REASON_STATUS[order.reason] !== order.status) {
    ctx.addIssue({
      code: 'custom',
      path: ['reason'],
      message: `reason ${order.reason} does not fit status ${order.status}`,
    });
  }
  if (HAS_DRINK.includes(order.status) && order.drinkId === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['drinkId'],
      message: `drinkId is required when status is ${order.status}`,
    });
  }
  if (HAS_BARISTA.includes(order.status) && order.baristaId === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['baristaId'],
      message: `baristaId is required when status is ${order.status}`,
    });
  }
};

/**
 * An order as every API answers it (`GET …/orders/{orderId}`, queue, history) and as screens
 * show it. Unknown keys are dropped, so a newer server's extra fields do not break a client.
 */
export const OrderSchema = z.object(orderShape).superRefine(checkOrderFacts);
export type Order = z.infer<typeof OrderSchema>;

/** A Step Functions task token (`SendTaskSuccess` accepts up to 2048 characters). */
export const TaskTokenSchema = z.string().min(1).max(2048);

/**
 * One order in the orders table. The key attributes' layout (what `pk` … `gsi2sk` hold, the
 * index names) is the orders service's adapter's (`services/orders/src/adapters/orderKeys.ts`),
 * which also checks every key against the item's fields. Task tokens are kept per phase, so a late or repeated call
 * can never resume the wrong wait (reference defects 11, 12). Unknown attributes are dropped.
 */
export const OrderItemSchema = z
  .object({
    pk: z.string().startsWith('SHOP#'),
    sk: z.string().startsWith('ORDER#'),
    gsi1pk: z.string().min(1),
    gsi1sk: z.string().min(1),
    gsi2pk: z.string().min(1),
    gsi2sk: z.string().min(1),
    ...orderShape,
    /** Token of the workflow's wait for the customer's selection. */
    customerTaskToken: TaskTokenSchema.optional(),
    /** Token of the workflow's wait for a barista to complete or cancel. */
    baristaTaskToken: TaskTokenSchema.optional(),
    /** When the customer chose the drink (entered QUEUED). */
    submittedAt: IsoDateTimeSchema.optional(),
    /** When the current barista claimed it (entered IN_PROGRESS). */
    claimedAt: IsoDateTimeSchema.optional(),
    /** When it reached a terminal status. */
    finishedAt: IsoDateTimeSchema.optional(),
    /** The OrderProcessor execution carrying the order (for its journey). */
    executionArn: z.string().startsWith('arn:').optional(),
    /**
     * The shop's open-order slot (counter `OPEN_ORDERS`) this order took: `HELD` from the
     * workflow's admission (written in one transaction with the counter's increment, only if
     * absent) until its ending gives it back (`RELEASED`, in one transaction with the
     * decrement) — so a slot is taken at most once and given back at most once.
     */
    slot: z.enum(['HELD', 'RELEASED']).optional(),
    /** The QR bucket the order was redeemed from: `Validator.NewOrder` reports its count. */
    qrBucket: z.number().int().min(0).optional(),
    /** When the redeemed code expires (copied into `Validator.NewOrder`). */
    codeExpiresAt: IsoDateTimeSchema.optional(),
    /**
     * For an order placed with an `Idempotency-Key`: a digest of the request it was placed by,
     * so the key sent again with another request is refused instead of answered as a replay.
     */
    requestDigest: z.string().min(1).max(64).optional(),
    /** The id of the last OrderManager change applied, so a retried update is known as applied. */
    lastChangeId: z.string().min(1).max(64).optional(),
  })
  .superRefine(checkOrderFacts);
export type OrderItem = z.infer<typeof OrderItemSchema>;

/** The API view of a stored order: no keys, no task tokens, no internal timestamps. */
export const toOrderDto = (item: OrderItem): Order => {
  const order: Order = {
    orderId: item.orderId,
    shopId: item.shopId,
    status: item.status,
    customerId: item.customerId,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
  if (item.orderNumber !== undefined) order.orderNumber = item.orderNumber;
  if (item.drinkId !== undefined) order.drinkId = item.drinkId;
  if (item.modifiers !== undefined) order.modifiers = { ...item.modifiers };
  if (item.baristaId !== undefined) order.baristaId = item.baristaId;
  if (item.reason !== undefined) order.reason = item.reason;
  return order;
};

// ---------------------------------------------------------------------------------------------
// Requests and responses
// ---------------------------------------------------------------------------------------------

/** Path parameters of every `/shops/{shopId}/orders/{orderId}…` route. */
export const OrderPathSchema = z.object({ shopId: ShopIdSchema, orderId: OrderIdSchema });
export type OrderPath = z.infer<typeof OrderPathSchema>;

/**
 * The `Idempotency-Key` header of `POST /shops/{shopId}/orders` (IETF draft
 * "The Idempotency-Key HTTP Header Field"): a client-made unique value, e.g. a UUID, sent again
 * unchanged when the client retries the same order. The same customer's same key in the same
 * shop places one order, however often it arrives.
 */
export const IdempotencyKeySchema = z
  .string({ error: 'Idempotency-Key must be a string' })
  .min(8, 'Idempotency-Key must be at least 8 characters (a UUID is best)')
  .max(64, 'Idempotency-Key must be at most 64 characters')
  .regex(/^[A-Za-z0-9_.:-]+$/, 'Idempotency-Key must be letters, digits and _ . : -');

/** Body of `POST /shops/{shopId}/orders` (customer): redeem the code on the display. */
export const NewOrderBodySchema = z.strictObject({ qrCode: QrCodeSchema });
export type NewOrderBody = z.infer<typeof NewOrderBodySchema>;

/** 202 answer to `POST /shops/{shopId}/orders`. */
export const NewOrderResponseSchema = z.object({
  orderId: OrderIdSchema,
  status: OrderStatusSchema,
});
export type NewOrderResponse = z.infer<typeof NewOrderResponseSchema>;

/**
 * Body of `PUT /shops/{shopId}/orders/{orderId}` (owner): the drink and one option per modifier
 * group. `modifiers` may be left out for a drink without modifier groups.
 */
export const PutOrderBodySchema = z.strictObject({
  drinkId: DrinkIdSchema,
  modifiers: ModifierChoiceSchema.default({}),
});
export type PutOrderBody = z.infer<typeof PutOrderBodySchema>;

const listOf = (status: OrderStatus) =>
  z.array(OrderSchema).superRefine((orders, ctx) => {
    orders.forEach((order, index) => {
      if (order.status !== status) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'status'],
          message: `expected ${status}, got ${order.status}`,
        });
      }
    });
  });

/** `GET /shops/{shopId}/queue` (barista, display): each list holds orders of one status. */
export const QueueResponseSchema = z.object({
  queued: listOf('QUEUED'),
  inProgress: listOf('IN_PROGRESS'),
  /** Recently completed orders, waiting to be picked up. */
  ready: listOf('COMPLETED'),
});
export type QueueResponse = z.infer<typeof QueueResponseSchema>;

/** `GET /me/orders` (customer): newest first; `nextToken` fetches the next page. */
export const OrderHistoryResponseSchema = z.object({
  orders: z.array(OrderSchema),
  nextToken: z.string().min(1).optional(),
});
export type OrderHistoryResponse = z.infer<typeof OrderHistoryResponseSchema>;

/** `GET /shops/{shopId}/qr-code` (display): the current code and how many orders it admits. */
export const QrCodeResponseSchema = z.object({
  code: QrCodeSchema,
  expiresAt: IsoDateTimeSchema,
  remaining: z.number().int().min(0),
});
export type QrCodeResponse = z.infer<typeof QrCodeResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Menu check
// ---------------------------------------------------------------------------------------------

export type SelectionCheck =
  | { ok: true; drink: Drink }
  | { ok: false; field: string; message: string };

const reject = (field: string, message: string): SelectionCheck => ({
  ok: false,
  field,
  message: `${field}: ${message}`,
});

/**
 * Checks a selection against the shop's menu: the drink exists and is available, every
 * modifier group of the drink has exactly one of its options, and no other group is named.
 * Pure; the first problem found is returned with the field it concerns (`drinkId`,
 * `modifiers.<group>`).
 */
export const validateSelection = (
  drinks: readonly Drink[],
  body: Pick<PutOrderBody, 'drinkId'> & { modifiers?: ModifierChoice | undefined },
): SelectionCheck => {
  const drink = drinks.find((d) => d.drinkId === body.drinkId);
  if (!drink) return reject('drinkId', `${body.drinkId} is not on the menu`);
  if (!drink.available) return reject('drinkId', `${drink.name} is not available`);

  const chosen = new Map(Object.entries(body.modifiers ?? {}));
  const groups = new Map(drink.modifiers.map((g) => [g.name, g]));
  for (const name of chosen.keys()) {
    if (!groups.has(name)) {
      return reject(`modifiers.${name}`, `${drink.name} has no modifier group ${name}`);
    }
  }
  for (const group of drink.modifiers) {
    const option = chosen.get(group.name);
    const options = group.options.join(', ');
    if (option === undefined) {
      return reject(`modifiers.${group.name}`, `choose one of ${options}`);
    }
    if (!group.options.includes(option)) {
      return reject(`modifiers.${group.name}`, `${option} is not one of ${options}`);
    }
  }
  return { ok: true, drink };
};

/** One step of an order's workflow: a state of the OrderProcessor, entered and (once) exited. */
export const JourneyStepSchema = z.object({
  name: z.string().min(1),
  enteredAt: IsoDateTimeSchema,
  exitedAt: IsoDateTimeSchema.optional(),
});
export type JourneyStep = z.infer<typeof JourneyStepSchema>;

/** `GET /shops/{shopId}/orders/{orderId}/journey` (owner, staff): the workflow's steps with times. */
export const OrderJourneySchema = z.object({
  orderId: OrderIdSchema,
  shopId: ShopIdSchema,
  status: OrderStatusSchema,
  /** The execution's status (RUNNING, SUCCEEDED, …); absent before the workflow picked it up. */
  workflowStatus: z.string().optional(),
  steps: z.array(JourneyStepSchema),
});
export type OrderJourney = z.infer<typeof OrderJourneySchema>;
