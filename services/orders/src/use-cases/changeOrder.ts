import { conflict, forbidden, HttpError, invalidRequest, notFound } from '@espresso/runtime';
import {
  hasShopRole,
  type Identity,
  type Order,
  type PutOrderBody,
  toOrderDto,
  validateSelection,
} from '@espresso/schemas';
import type { Ports } from '../adapters';
import { type Action, planChange, Refused } from '../domain/transitions';

/**
 * A customer's choice or a barista's action: the rules decide, the OrderManager workflow
 * applies it (conditional update, event, resume of the waiting phase). A lost race or a wrong
 * status is a 409 naming the current status.
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
  const staff = (['barista', 'admin', 'display'] as const).some((g) =>
    hasShopRole(identity, g, shopId),
  );
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
  let change: ReturnType<typeof planChange>;
  try {
    change = planChange(
      order,
      action,
      identity,
      now,
      selection && { drinkId: selection.drinkId, modifiers: selection.modifiers ?? {} },
    );
  } catch (error) {
    if (error instanceof Refused) {
      throw error.kind === 'FORBIDDEN'
        ? forbidden(error.message)
        : conflict(error.message, 'status');
    }
    throw error;
  }
  const result = await ports.workflows.applyChange(order, change, now);
  if (!result.ok) {
    const current = await ports.orders.get(shopId, orderId);
    throw new HttpError(
      'CONFLICT',
      `order ${orderId} changed meanwhile: it is ${current?.status ?? 'gone'}`,
      'status',
    );
  }
  return toOrderDto(result.item);
};
