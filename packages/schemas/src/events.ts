import * as z from 'zod';
import { DrinkIdSchema, IsoDateTimeSchema, ShopIdSchema } from './common';
import {
  ModifierChoiceSchema,
  OrderIdSchema,
  OrderNumberSchema,
  type OrderStatus,
  TaskTokenSchema,
  UserIdSchema,
} from './order';
import { PublicShopConfigSchema } from './shop';

/*
 * Event details on the bus, one schema per detail-type (DESIGN section 3).
 *
 * - Every detail has `version: 1` (this schema's version; a breaking change gets a new
 *   number), `shopId`, `orderId` when there is an order, and `at`, the ISO time it happened.
 * - Order events carry `customerId`, so the publisher can route them to the owner's screen.
 * - No detail carries a task token: every rule on the bus may see them. Tokens travel only
 *   inside the orders service (`*InternalSchema` below, never put on the bus).
 * - Numbers are JSON numbers: a workflow reading a DynamoDB `N` converts it first
 *   (`States.StringToJson`), so `orderNumber` is never a string (reference defect 28).
 * - The exported schemas are strict: a producer that adds a field the contract does not name
 *   (a token, say) fails loudly. Consumers use `parseEventDetail`/`parseBusEvent`, which drop
 *   unknown fields so an additive change does not break an older consumer.
 */

const base = {
  version: z.literal(1),
  shopId: ShopIdSchema,
  at: IsoDateTimeSchema,
};

const orderBase = {
  ...base,
  orderId: OrderIdSchema,
  customerId: UserIdSchema,
};

const seconds = z.number().int().positive();

// --- Validator -------------------------------------------------------------------------------

/** A customer redeemed the display's code; starts the OrderProcessor workflow. */
export const NewOrderDetailSchema = z.strictObject({
  ...orderBase,
  /** Orders the redeemed code still admits, for the display's counter. */
  remaining: z.number().int().min(0),
  /** When the redeemed code expires: tells the display which code `remaining` belongs to. */
  codeExpiresAt: IsoDateTimeSchema,
});
export type NewOrderDetail = z.infer<typeof NewOrderDetailSchema>;

// --- OrderProcessor --------------------------------------------------------------------------

/** The shop took the order; the workflow waits up to `timeoutSeconds` for the drink choice. */
export const WorkflowStartedDetailSchema = z.strictObject({
  ...orderBase,
  timeoutSeconds: seconds,
});
export type WorkflowStartedDetail = z.infer<typeof WorkflowStartedDetailSchema>;

/** The shop turned the order away: closed, or as many open orders as it takes. */
export const ShopUnavailableDetailSchema = z.strictObject({
  ...orderBase,
  reason: z.enum(['CLOSED', 'AT_CAPACITY']),
});
export type ShopUnavailableDetail = z.infer<typeof ShopUnavailableDetailSchema>;

/** The order got its number and waits up to `timeoutSeconds` for a barista to finish it. */
export const WaitingCompletionDetailSchema = z.strictObject({
  ...orderBase,
  orderNumber: OrderNumberSchema,
  timeoutSeconds: seconds,
});
export type WaitingCompletionDetail = z.infer<typeof WaitingCompletionDetailSchema>;

/** A wait ran out: the customer never chose (`CUSTOMER`) or no barista finished (`BARISTA`). */
export const OrderTimedOutDetailSchema = z.strictObject({
  ...orderBase,
  stage: z.enum(['CUSTOMER', 'BARISTA']),
  orderNumber: OrderNumberSchema.optional(),
  drinkId: DrinkIdSchema.optional(),
  /** The barista who held the order when it timed out, if any. */
  baristaId: UserIdSchema.optional(),
});
export type OrderTimedOutDetail = z.infer<typeof OrderTimedOutDetailSchema>;

/** The workflow ended after a barista (or the customer) finished the order, with how. */
export const OrderFinishedDetailSchema = z.strictObject({
  ...orderBase,
  outcome: z.enum(['COMPLETED', 'CANCELLED']),
  orderNumber: OrderNumberSchema.optional(),
});
export type OrderFinishedDetail = z.infer<typeof OrderFinishedDetailSchema>;

// --- OrderManager ----------------------------------------------------------------------------

/** The customer chose a drink; the order is QUEUED. Its number may not be drawn yet. */
export const OrderPlacedDetailSchema = z.strictObject({
  ...orderBase,
  drinkId: DrinkIdSchema,
  modifiers: ModifierChoiceSchema,
  orderNumber: OrderNumberSchema.optional(),
  /** When the order was created (code redeemed): with `at`, the customer's choosing time. */
  createdAt: IsoDateTimeSchema,
});
export type OrderPlacedDetail = z.infer<typeof OrderPlacedDetailSchema>;

/** A barista claimed the order; it is IN_PROGRESS. */
export const OrderClaimedDetailSchema = z.strictObject({
  ...orderBase,
  baristaId: UserIdSchema,
  orderNumber: OrderNumberSchema.optional(),
  drinkId: DrinkIdSchema,
  /** When the order was placed: with `at`, its waiting time. */
  submittedAt: IsoDateTimeSchema,
});
export type OrderClaimedDetail = z.infer<typeof OrderClaimedDetailSchema>;

/** The barista who held the order let it go; it is QUEUED again. */
export const OrderUnclaimedDetailSchema = z.strictObject({
  ...orderBase,
  orderNumber: OrderNumberSchema.optional(),
  /** The barista who held it (and released it, or an admin released it for them). */
  baristaId: UserIdSchema,
});
export type OrderUnclaimedDetail = z.infer<typeof OrderUnclaimedDetailSchema>;

/**
 * The barista completed the order (`at` = completion time). Carries what metrics count: what
 * was placed and what the claim said (the drink, the barista), waiting time
 * (`claimedAt - submittedAt`) and making time (`at - claimedAt`).
 */
export const OrderCompletedDetailSchema = OrderPlacedDetailSchema.extend({
  ...OrderClaimedDetailSchema.shape,
  claimedAt: IsoDateTimeSchema,
});
export type OrderCompletedDetail = z.infer<typeof OrderCompletedDetailSchema>;

/** The order was cancelled, by its owner (before a claim) or by a barista. */
export const OrderCancelledDetailSchema = z.strictObject({
  ...orderBase,
  reason: z.enum(['CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_BARISTA']),
  /** Who cancelled: the customer's or the barista's `sub`. */
  cancelledBy: UserIdSchema,
  /** The status the order was in, so screens know which list to drop it from. */
  previousStatus: z.enum(['AWAITING_SELECTION', 'QUEUED', 'IN_PROGRESS']),
  orderNumber: OrderNumberSchema.optional(),
  drinkId: DrinkIdSchema.optional(),
  /** The barista who held the order, if it was claimed. */
  baristaId: UserIdSchema.optional(),
});
export type OrderCancelledDetail = z.infer<typeof OrderCancelledDetailSchema>;

// --- ConfigService ---------------------------------------------------------------------------

/**
 * A shop's config was written; `config` is the public view screens may show. `change` says
 * what happened: the shop was created, its config replaced, or it was opened or closed; `open`
 * repeats `config.open` for rules that match on it.
 */
export const ConfigChangedDetailSchema = z
  .strictObject({
    ...base,
    change: z.enum(['CREATED', 'UPDATED', 'OPENED', 'CLOSED']),
    open: z.boolean(),
    /** The config item's `version` after the write: consumers ignore older ones. */
    configVersion: z.number().int().min(1),
    config: PublicShopConfigSchema,
  })
  .superRefine((detail, ctx) => {
    if (detail.config.shopId !== detail.shopId) {
      ctx.addIssue({ code: 'custom', path: ['config', 'shopId'], message: 'must be shopId' });
    }
    if (detail.config.open !== detail.open) {
      ctx.addIssue({ code: 'custom', path: ['open'], message: 'must be config.open' });
    }
    if (
      (detail.change === 'OPENED' && !detail.open) ||
      (detail.change === 'CLOSED' && detail.open)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['change'],
        message: `${detail.change} contradicts open`,
      });
    }
  });
export type ConfigChangedDetail = z.infer<typeof ConfigChangedDetailSchema>;

// --- Catalogue -------------------------------------------------------------------------------

export const EVENT_DETAIL_SCHEMAS = {
  'Validator.NewOrder': NewOrderDetailSchema,
  'OrderProcessor.WorkflowStarted': WorkflowStartedDetailSchema,
  'OrderProcessor.ShopUnavailable': ShopUnavailableDetailSchema,
  'OrderProcessor.WaitingCompletion': WaitingCompletionDetailSchema,
  'OrderProcessor.OrderTimedOut': OrderTimedOutDetailSchema,
  'OrderProcessor.OrderFinished': OrderFinishedDetailSchema,
  'OrderManager.OrderPlaced': OrderPlacedDetailSchema,
  'OrderManager.OrderClaimed': OrderClaimedDetailSchema,
  'OrderManager.OrderUnclaimed': OrderUnclaimedDetailSchema,
  'OrderManager.OrderCompleted': OrderCompletedDetailSchema,
  'OrderManager.OrderCancelled': OrderCancelledDetailSchema,
  'ConfigService.ConfigChanged': ConfigChangedDetailSchema,
} as const;

export type DetailType = keyof typeof EVENT_DETAIL_SCHEMAS;
/** The detail of `T` as a consumer receives it. */
export type DetailOf<T extends DetailType> = z.output<(typeof EVENT_DETAIL_SCHEMAS)[T]>;
/** The detail of `T` as a producer passes it to `buildEventEntry`. */
export type DetailInputOf<T extends DetailType> = z.input<(typeof EVENT_DETAIL_SCHEMAS)[T]>;

export const DETAIL_TYPES = Object.freeze(Object.keys(EVENT_DETAIL_SCHEMAS) as DetailType[]);

export const isDetailType = (value: unknown): value is DetailType =>
  typeof value === 'string' && Object.hasOwn(EVENT_DETAIL_SCHEMAS, value);

/** The event `source` of each producer: the detail-type's prefix names the producer. */
export const EVENT_SOURCES = Object.freeze({
  Validator: 'espresso.orders',
  OrderProcessor: 'espresso.orders',
  OrderManager: 'espresso.orders',
  ConfigService: 'espresso.config',
} as const);
export type EventProducer = keyof typeof EVENT_SOURCES;
export type EventSource = (typeof EVENT_SOURCES)[EventProducer];

type ProducerOf<T extends DetailType> = T extends `${infer P extends EventProducer}.${string}`
  ? P
  : never;

/** The `source` an event of `detailType` is put with (and rules match on). */
export const eventSource = <T extends DetailType>(
  detailType: T,
): (typeof EVENT_SOURCES)[ProducerOf<T>] => {
  const producer = detailType.slice(0, detailType.indexOf('.')) as ProducerOf<T>;
  return EVENT_SOURCES[producer];
};

/** Consumers' view: the same schemas, tolerating (and dropping) fields they do not know. */
const LENIENT_DETAIL_SCHEMAS = Object.fromEntries(
  DETAIL_TYPES.map((type) => [type, EVENT_DETAIL_SCHEMAS[type].strip()]),
) as { [T in DetailType]: ReturnType<(typeof EVENT_DETAIL_SCHEMAS)[T]['strip']> };

/** One entry of EventBridge `PutEvents` (the SDK's `PutEventsRequestEntry`, fields all set). */
export interface EventEntry<T extends DetailType = DetailType> {
  Source: EventSource;
  DetailType: T;
  Detail: string;
  EventBusName: string;
}

/**
 * Validates `detail` against its detail-type's schema (throws a `ZodError` if it does not
 * match, including on any field the contract does not name) and returns the `PutEvents` entry.
 */
export const buildEventEntry = <T extends DetailType>(
  detailType: T,
  detail: DetailInputOf<T>,
  busName: string,
): EventEntry<T> => {
  if (!isDetailType(detailType)) throw new Error(`unknown detail-type ${String(detailType)}`);
  if (busName.length === 0) throw new Error('busName must not be empty');
  const parsed: unknown = EVENT_DETAIL_SCHEMAS[detailType].parse(detail);
  return {
    Source: eventSource(detailType),
    DetailType: detailType,
    Detail: JSON.stringify(parsed),
    EventBusName: busName,
  };
};

/**
 * Parses a received detail of `detailType` (throws a `ZodError` if it does not match).
 * Fields the schema does not name are dropped, so additive changes do not break consumers.
 */
export const parseEventDetail = <T extends DetailType>(
  detailType: T,
  detail: unknown,
): DetailOf<T> => {
  if (!isDetailType(detailType)) throw new Error(`unknown detail-type ${String(detailType)}`);
  return LENIENT_DETAIL_SCHEMAS[detailType].parse(detail) as DetailOf<T>;
};

/** The EventBridge envelope as a rule target (Lambda, SQS body) receives it. */
export const EventEnvelopeSchema = z.object({
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  time: z.string().min(1),
  detail: z.unknown(),
});

/** A received event, its detail parsed and typed by its detail-type. */
export type BusEvent = {
  [T in DetailType]: {
    /** EventBridge's event id: the same on every redelivery, the key for exactly-once work. */
    id: string;
    time: string;
    source: EventSource;
    detailType: T;
    detail: DetailOf<T>;
  };
}[DetailType];

/**
 * Parses a whole event from the bus: the envelope, a known detail-type from its own source,
 * and the detail. Throws (`ZodError` or `Error`) on anything else.
 */
export const parseBusEvent = (event: unknown): BusEvent => {
  const envelope = EventEnvelopeSchema.parse(event);
  const detailType = envelope['detail-type'];
  if (!isDetailType(detailType)) throw new Error(`unknown detail-type ${detailType}`);
  const source = eventSource(detailType);
  if (envelope.source !== source) {
    throw new Error(`${detailType} must come from ${source}, not ${envelope.source}`);
  }
  return {
    id: envelope.id,
    time: envelope.time,
    source,
    detailType,
    detail: parseEventDetail(detailType, envelope.detail),
  } as BusEvent;
};

// --- Inside the orders service only ----------------------------------------------------------

/**
 * What the OrderProcessor hands to the orders service's own token store when it starts
 * waiting for the customer: the public detail plus the task token. Never a detail on the bus.
 */
export const WorkflowStartedInternalSchema = WorkflowStartedDetailSchema.extend({
  taskToken: TaskTokenSchema,
});
export type WorkflowStartedInternal = z.infer<typeof WorkflowStartedInternalSchema>;

/** As `WorkflowStartedInternalSchema`, for the wait for a barista. Never a detail on the bus. */
export const WaitingCompletionInternalSchema = WaitingCompletionDetailSchema.extend({
  taskToken: TaskTokenSchema,
});
export type WaitingCompletionInternal = z.infer<typeof WaitingCompletionInternalSchema>;

/**
 * The status an order is in once an event about it happened, for screens that keep a local
 * copy. `OrderProcessor.OrderFinished` is missing: its status is its `outcome`.
 */
export const ORDER_EVENT_STATUS = Object.freeze({
  'Validator.NewOrder': 'AWAITING_SELECTION',
  'OrderProcessor.WorkflowStarted': 'AWAITING_SELECTION',
  'OrderProcessor.ShopUnavailable': 'REJECTED',
  'OrderProcessor.WaitingCompletion': 'QUEUED',
  'OrderProcessor.OrderTimedOut': 'TIMED_OUT',
  'OrderManager.OrderPlaced': 'QUEUED',
  'OrderManager.OrderClaimed': 'IN_PROGRESS',
  'OrderManager.OrderUnclaimed': 'QUEUED',
  'OrderManager.OrderCompleted': 'COMPLETED',
  'OrderManager.OrderCancelled': 'CANCELLED',
} as const satisfies Partial<Record<DetailType, OrderStatus>>);
