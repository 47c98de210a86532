import { notFound, requirePermission } from '@espresso/runtime';
import {
  type Identity,
  mayInShop,
  type Order,
  type OrderHistoryResponse,
  type OrderJourney,
  type QueueResponse,
  toOrderDto,
} from '@espresso/schemas';
import type { Ports } from './ports';

/** The order's customer, or barista/admin/display of its shop. */
export const getOrder = async (
  ports: Pick<Ports, 'orders'>,
  identity: Identity,
  shopId: string,
  orderId: string,
): Promise<Order> => {
  const staff = mayInShop(identity, 'order.view-any', shopId);
  const item = await ports.orders.get(shopId, orderId);
  // The same answer for "not yours" and "no such order": ids are not probed.
  if (!item || (!staff && item.customerId !== identity.sub)) {
    throw notFound(`order ${orderId} does not exist in shop ${shopId}`);
  }
  return toOrderDto(item);
};

export const listMyOrders = async (
  ports: Pick<Ports, 'orders'>,
  identity: Identity,
): Promise<OrderHistoryResponse> => ({
  orders: (await ports.orders.byCustomer(identity.sub, 50)).map(toOrderDto),
});

/** Queued (oldest first), in progress, and the most recently completed orders of a shop. */
export const getQueue = async (
  ports: Pick<Ports, 'orders'>,
  identity: Identity,
  shopId: string,
): Promise<QueueResponse> => {
  requirePermission(identity, 'queue.view', shopId);
  const [queued, inProgress, ready] = await Promise.all([
    ports.orders.byStatus(shopId, 'QUEUED', { newestFirst: false, limit: 100 }),
    ports.orders.byStatus(shopId, 'IN_PROGRESS', { newestFirst: false, limit: 100 }),
    ports.orders.byStatus(shopId, 'COMPLETED', { newestFirst: true, limit: 20 }),
  ]);
  return {
    queued: queued.map(toOrderDto),
    inProgress: inProgress.map(toOrderDto),
    ready: ready.map(toOrderDto),
  };
};

/** The order's workflow steps with times, for its customer or the shop's staff. */
export const getJourney = async (
  ports: Pick<Ports, 'orders' | 'workflows'>,
  identity: Identity,
  shopId: string,
  orderId: string,
): Promise<OrderJourney> => {
  const order = await getOrder(ports, identity, shopId, orderId);
  const item = await ports.orders.get(shopId, orderId);
  if (!item?.executionArn) return { orderId, shopId, status: order.status, steps: [] };
  const { status, steps } = await ports.workflows.journey(item.executionArn);
  return { orderId, shopId, status: order.status, workflowStatus: status, steps };
};
