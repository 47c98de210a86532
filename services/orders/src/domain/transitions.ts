import {
  allowedPreviousStatuses,
  canTransition,
  type DetailType,
  type Identity,
  type ModifierChoice,
  mayInShop,
  missingPermission,
  type OrderItem,
  type OrderReason,
  type OrderStatus,
  type Permission,
} from '@espresso/schemas';

export type Action = 'select' | 'claim' | 'unclaim' | 'complete' | 'cancel';

export class Refused extends Error {
  constructor(
    readonly kind: 'FORBIDDEN' | 'CONFLICT',
    message: string,
  ) {
    super(message);
  }
}

/** What one action does to an order: the new fields, its event, and which wait it resumes. */
export interface Change {
  from: OrderStatus;
  to: OrderStatus;
  set: Partial<OrderItem>;
  remove: (keyof OrderItem)[];
  event: { detailType: DetailType; detail: Record<string, unknown> };
  resume?: {
    phase: 'CUSTOMER' | 'BARISTA';
    output: { outcome: 'SELECTED' | 'COMPLETED' | 'CANCELLED' };
  };
}

const eventBase = (order: OrderItem, now: string) => ({
  version: 1,
  shopId: order.shopId,
  orderId: order.orderId,
  customerId: order.customerId,
  at: now,
  ...(order.orderNumber === undefined ? {} : { orderNumber: order.orderNumber }),
});

/**
 * The customer's choice applied: AWAITING_SELECTION → QUEUED, `OrderPlaced`, and the customer
 * phase resumed with SELECTED. Planned by the API when the workflow already waits, and by the
 * workflow's wait step (`awaitCustomer`) for a choice kept on the order before it waited.
 */
export const selectionChange = (
  order: OrderItem,
  selection: { drinkId: string; modifiers: ModifierChoice },
  now: string,
): Change => ({
  from: 'AWAITING_SELECTION',
  to: 'QUEUED',
  set: { drinkId: selection.drinkId, modifiers: selection.modifiers, submittedAt: now },
  remove: [],
  event: {
    detailType: 'OrderManager.OrderPlaced',
    detail: {
      ...eventBase(order, now),
      drinkId: selection.drinkId,
      modifiers: selection.modifiers,
      createdAt: order.createdAt,
    },
  },
  resume: { phase: 'CUSTOMER', output: { outcome: 'SELECTED' } },
});

/**
 * The order's rules in one place: who may take which action in which status, and what it
 * changes. Throws `Refused` (403 for who, 409 for when) — the caller makes the write
 * conditional on `from`, so a concurrent change is a 409 too.
 */
export const planChange = (
  order: OrderItem,
  action: Action,
  identity: Identity,
  now: string,
  selection?: { drinkId: string; modifiers: ModifierChoice },
): Change => {
  const owner = order.customerId === identity.sub;
  const staff = mayInShop(identity, 'order.cancel-any', order.shopId);
  const base = eventBase(order, now);
  /** Each action starts from exact statuses (the table alone would let unclaim start a wait). */
  const requireStatus = (...from: OrderStatus[]) => {
    if (!from.includes(order.status)) {
      throw new Refused(
        'CONFLICT',
        `order ${order.orderId} is ${order.status}: cannot ${action} it`,
      );
    }
  };
  const requireStaff = (permission: Permission) => {
    if (!mayInShop(identity, permission, order.shopId)) {
      throw new Refused('FORBIDDEN', missingPermission(permission, order.shopId));
    }
  };
  /** Unclaim and complete: staff, on an order in progress, held by the caller (or any, for an admin). */
  const requireHolder = (permission: Permission) => {
    requireStaff(permission);
    requireStatus('IN_PROGRESS');
    if (order.baristaId !== identity.sub && !mayInShop(identity, 'order.take-over', order.shopId)) {
      throw new Refused('CONFLICT', `order ${order.orderId} is held by another barista`);
    }
  };
  switch (action) {
    case 'select': {
      if (!owner)
        throw new Refused('FORBIDDEN', 'only the customer who placed the order chooses its drink');
      requireStatus('AWAITING_SELECTION');
      if (!selection) throw new Error('select needs a selection');
      return selectionChange(order, selection, now);
    }
    case 'claim': {
      requireStaff('order.claim');
      requireStatus('QUEUED');
      return {
        from: order.status,
        to: 'IN_PROGRESS',
        set: { baristaId: identity.sub, claimedAt: now },
        remove: [],
        event: {
          detailType: 'OrderManager.OrderClaimed',
          detail: {
            ...base,
            baristaId: identity.sub,
            drinkId: order.drinkId,
            submittedAt: order.submittedAt,
          },
        },
      };
    }
    case 'unclaim': {
      requireHolder('order.unclaim');
      return {
        from: order.status,
        to: 'QUEUED',
        set: {},
        remove: ['baristaId', 'claimedAt'],
        event: {
          detailType: 'OrderManager.OrderUnclaimed',
          detail: { ...base, baristaId: order.baristaId },
        },
      };
    }
    case 'complete': {
      requireHolder('order.complete');
      return {
        from: order.status,
        to: 'COMPLETED',
        set: { finishedAt: now },
        remove: [],
        event: {
          detailType: 'OrderManager.OrderCompleted',
          detail: {
            ...base,
            baristaId: order.baristaId,
            drinkId: order.drinkId,
            modifiers: order.modifiers ?? {},
            createdAt: order.createdAt,
            submittedAt: order.submittedAt,
            claimedAt: order.claimedAt,
          },
        },
        resume: { phase: 'BARISTA', output: { outcome: 'COMPLETED' } },
      };
    }
    case 'cancel': {
      // The owner may cancel until a barista claims it; staff of the shop any time before the end.
      const byCustomer = owner && !staff;
      if (!owner && !staff)
        throw new Refused('FORBIDDEN', 'only the customer or the shop may cancel');
      if (byCustomer && !['AWAITING_SELECTION', 'QUEUED'].includes(order.status)) {
        throw new Refused(
          'CONFLICT',
          `order ${order.orderId} is ${order.status}: too late to cancel`,
        );
      }
      if (!canTransition(order.status, 'CANCELLED')) requireStatus();
      const reason: OrderReason = byCustomer ? 'CANCELLED_BY_CUSTOMER' : 'CANCELLED_BY_BARISTA';
      return {
        from: order.status,
        to: 'CANCELLED',
        set: { reason, finishedAt: now },
        remove: [],
        event: {
          detailType: 'OrderManager.OrderCancelled',
          detail: {
            ...base,
            reason,
            cancelledBy: identity.sub,
            previousStatus: order.status,
            ...(order.drinkId === undefined ? {} : { drinkId: order.drinkId }),
            ...(order.baristaId === undefined ? {} : { baristaId: order.baristaId }),
          },
        },
        resume: {
          phase: order.status === 'AWAITING_SELECTION' ? 'CUSTOMER' : 'BARISTA',
          output: { outcome: 'CANCELLED' },
        },
      };
    }
  }
};

/** Statuses an ending of the workflow may overwrite (the transition table's previous statuses). */
export const endingFrom = (to: OrderStatus) => allowedPreviousStatuses(to);
