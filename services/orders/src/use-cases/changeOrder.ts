import { conflict, forbidden, HttpError, invalidRequest, notFound } from '@espresso/runtime';
import {
  type Identity,
  mayInShop,
  type Order,
  type PutOrderBody,
  toOrderDto,
  validateSelection,
} from '@espresso/schemas';
import { type Action, type Change, planChange, Refused } from '../domain/transitions';
import type { Ports } from './ports';

/**
 * A customer's choice or a barista's action: the rules decide, the OrderManager workflow
 * applies it (conditional update, event, resume of the waiting phase). A choice made before the
 * OrderProcessor waits for it is kept on the order instead (the workflow applies it; the order
 * is answered still AWAITING_SELECTION, with the choice). A lost race is planned again from the
 * status the order reached; a status that refuses the action is a 409 naming it — never a
 * "try again".
 */
export const changeOrder = async (
  ports: Pick<Ports, 'orders' | 'shops' | 'workflows' | 'now'>,
  request: {
    identity: Identity;
    shopId: string;
    orderId: string;
    action: Action;
    selection?: PutOrderBody;
  },
): Promise<Order> => {
  const { identity, shopId, orderId, action, selection } = request;
  const order = await ports.orders.get(shopId, orderId);
  const staff = mayInShop(identity, 'order.view-any', shopId);
  // Not the caller's order and no such order look the same, as on GET: ids are not probed.
  if (!order || (!staff && order.customerId !== identity.sub)) {
    throw notFound(`order ${orderId} does not exist in shop ${shopId}`);
  }
  if (action === 'select' && selection) {
    if (order.customerId !== identity.sub)
      throw forbidden('only the customer who placed the order chooses its drink');
    const shop = await ports.shops.get(shopId);
    if (!shop) throw notFound(`shop ${shopId} does not exist`);
    const check = validateSelection(shop.menu, selection);
    if (!check.ok) throw invalidRequest(check.field, check.message);
  }
  const now = ports.now().toISOString();
  const chosen = selection && { drinkId: selection.drinkId, modifiers: selection.modifiers ?? {} };
  let current = order;
  let kept = false;
  for (let attempt = 1; ; attempt++) {
    let change: Change;
    try {
      change = plan(current, action, identity, now, chosen);
    } catch (error) {
      // A lost race: the status the order reached refuses the action — named, as always.
      if (attempt === 1 || !(error instanceof HttpError)) throw error;
      throw conflict(`order ${orderId} changed meanwhile: it is ${current.status}`, 'status');
    }
    if (action === 'select' && chosen && !current.customerTaskToken && !kept) {
      // The workflow does not wait for the choice yet (it starts from the table's stream, seconds
      // after the 202): the choice is kept on the order, and the workflow's wait step applies it.
      // If the token was kept meanwhile, the order is read again and goes through the OrderManager.
      kept = true;
      const stored = await ports.orders.storeChoice({
        shopId,
        orderId,
        set: { ...chosen, updatedAt: now },
      });
      const after = await ports.orders.get(shopId, orderId);
      if (!after) throw notFound(`order ${orderId} does not exist in shop ${shopId}`);
      if (stored) return toOrderDto(after);
      current = after;
      continue;
    }
    const result = await ports.workflows.applyChange(current, change, now);
    if (result.ok) return toOrderDto(result.item);
    // Another change won the race: the action is planned again from the status it reached (a
    // cancel still goes through on an order the workflow queued meanwhile), or refused naming it.
    const latest = await ports.orders.get(shopId, orderId);
    if (!latest || attempt >= MAX_ATTEMPTS) {
      throw conflict(
        `order ${orderId} changed meanwhile: it is ${latest?.status ?? 'gone'}`,
        'status',
      );
    }
    current = latest;
  }
};

/** Plans an action at most this often when concurrent changes keep moving the order. */
const MAX_ATTEMPTS = 3;

/** The domain's plan, its refusals as HTTP errors (403 who, 409 when, naming the status). */
const plan = (...args: Parameters<typeof planChange>) => {
  try {
    return planChange(...args);
  } catch (error) {
    if (error instanceof Refused) {
      throw error.kind === 'FORBIDDEN'
        ? forbidden(error.message)
        : conflict(error.message, 'status');
    }
    throw error;
  }
};
