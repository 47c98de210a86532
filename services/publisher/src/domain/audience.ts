import {
  type BusEvent,
  type DetailOf,
  type DetailType,
  ORDER_EVENT_STATUS,
  type OrderStatus,
} from '@espresso/schemas';

/*
 * Who may see what of each bus event (README "Audience table"). Pure: from a parsed event to
 * the message each audience receives. Every field a screen gets is listed here by name; a field
 * added to an event later reaches no screen until it is added to this table.
 *
 * Audiences:
 * - `staff`:   barista and admin screens of the event's shop (the queue);
 * - `display`: the shop's display screens (the "being made / ready" board and the QR counter):
 *              no customer id, no barista id, nothing personal;
 * - `owner`:   every screen of the customer who owns the order (their own order only);
 * - `public`:  customer screens watching a shop (its public config: open or closed, menu).
 */

export const AUDIENCES = ['staff', 'display', 'owner', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** What a screen receives: the event's detail-type, the fields it may see, and when it happened. */
export interface ScreenMessage {
  type: DetailType;
  detail: Record<string, unknown>;
  at: string;
}

/** The messages one event produces, per audience; an audience that sees nothing is absent. */
export interface Delivery {
  shopId: string;
  /** The owning customer's `sub`, set when the `owner` audience gets a message. */
  ownerId?: string;
  messages: Partial<Record<Audience, ScreenMessage>>;
}

type Fields<T extends DetailType> = readonly (keyof DetailOf<T> & string)[];
type Rule<T extends DetailType> = Partial<Record<Audience, Fields<T>>>;

/*
 * `shopId`, `orderId` (where there is one) and the order's `status` after the event are added
 * to every message; `at` travels beside the detail. `version` (the schema's) and `customerId`
 * (except for staff) are never sent.
 */
export const AUDIENCE_RULES: { readonly [T in DetailType]: Rule<T> } = {
  // The code was redeemed: the display's counter of drinks left on this code.
  'Validator.NewOrder': {
    staff: ['remaining', 'codeExpiresAt'],
    display: ['remaining', 'codeExpiresAt'],
    owner: [],
  },
  // The customer now has `timeoutSeconds` to choose: only their phone cares.
  'OrderProcessor.WorkflowStarted': {
    owner: ['timeoutSeconds'],
  },
  // Turned away (closed or full): the customer's phone says why.
  'OrderProcessor.ShopUnavailable': {
    owner: ['reason'],
  },
  // The order got its number and waits for a barista.
  'OrderProcessor.WaitingCompletion': {
    staff: ['customerId', 'orderNumber', 'timeoutSeconds'],
    display: ['orderNumber'],
    owner: ['orderNumber', 'timeoutSeconds'],
  },
  'OrderProcessor.OrderTimedOut': {
    staff: ['customerId', 'stage', 'orderNumber', 'drinkId', 'baristaId'],
    display: ['orderNumber'],
    owner: ['stage', 'orderNumber', 'drinkId'],
  },
  // Screens of the shop already moved the card on OrderCompleted/OrderCancelled; the
  // customer's phone learns the workflow is over.
  'OrderProcessor.OrderFinished': {
    owner: ['outcome', 'orderNumber'],
  },
  'OrderManager.OrderPlaced': {
    staff: ['customerId', 'drinkId', 'modifiers', 'orderNumber', 'createdAt'],
    display: ['drinkId', 'orderNumber'],
    owner: ['drinkId', 'modifiers', 'orderNumber'],
  },
  'OrderManager.OrderClaimed': {
    staff: ['customerId', 'baristaId', 'orderNumber', 'drinkId', 'submittedAt'],
    display: ['drinkId', 'orderNumber'],
    owner: ['drinkId', 'orderNumber'],
  },
  'OrderManager.OrderUnclaimed': {
    staff: ['customerId', 'baristaId', 'orderNumber'],
    display: ['orderNumber'],
    owner: ['orderNumber'],
  },
  'OrderManager.OrderCompleted': {
    staff: [
      'customerId',
      'baristaId',
      'drinkId',
      'modifiers',
      'orderNumber',
      'createdAt',
      'submittedAt',
      'claimedAt',
    ],
    display: ['drinkId', 'orderNumber'],
    owner: ['drinkId', 'modifiers', 'orderNumber'],
  },
  'OrderManager.OrderCancelled': {
    staff: [
      'customerId',
      'reason',
      'cancelledBy',
      'previousStatus',
      'orderNumber',
      'drinkId',
      'baristaId',
    ],
    display: ['previousStatus', 'orderNumber'],
    owner: ['reason', 'previousStatus', 'orderNumber', 'drinkId'],
  },
  // The shop's public config (open or closed, menu): every screen of the shop may show it.
  'ConfigService.ConfigChanged': {
    staff: ['change', 'open', 'configVersion', 'config'],
    display: ['change', 'open', 'configVersion', 'config'],
    public: ['change', 'open', 'configVersion', 'config'],
  },
};

const statusAfter = (event: BusEvent): OrderStatus | undefined => {
  if (event.detailType === 'OrderProcessor.OrderFinished') return event.detail.outcome;
  if (event.detailType === 'ConfigService.ConfigChanged') return undefined;
  return ORDER_EVENT_STATUS[event.detailType];
};

const pick = (detail: Record<string, unknown>, fields: readonly string[]) => {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    if (detail[field] !== undefined) picked[field] = detail[field];
  }
  return picked;
};

/** The message each audience receives for `event` (a bus event parsed with its schema). */
export const deliveryFor = (event: BusEvent): Delivery => {
  const detail = event.detail as Record<string, unknown> & { shopId: string; at: string };
  const rule = AUDIENCE_RULES[event.detailType] as Rule<DetailType>;
  const status = statusAfter(event);
  const orderId = typeof detail.orderId === 'string' ? detail.orderId : undefined;
  const messages: Partial<Record<Audience, ScreenMessage>> = {};
  for (const audience of AUDIENCES) {
    const fields = rule[audience];
    if (!fields) continue;
    messages[audience] = {
      type: event.detailType,
      detail: {
        shopId: detail.shopId,
        ...(orderId === undefined ? {} : { orderId }),
        ...(status === undefined ? {} : { status }),
        ...pick(detail, fields),
      },
      at: detail.at,
    };
  }
  const customerId = typeof detail.customerId === 'string' ? detail.customerId : undefined;
  return {
    shopId: detail.shopId,
    ...(messages.owner && customerId ? { ownerId: customerId } : {}),
    messages,
  };
};
