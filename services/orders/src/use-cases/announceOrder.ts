import { type OrderItem, OrderItemSchema } from '@espresso/schemas';
import type { Ports } from './ports';

/**
 * The transactional outbox's publisher: an order the orders table's stream shows as new is
 * announced as `Validator.NewOrder`, which starts its OrderProcessor. The stream delivers each
 * insert at least once and retries until the event is on the bus; a repeat starts a second
 * execution that finds the order already taken and ends without touching it.
 *
 * `remaining` is the redeemed code's count when the event is put (read after the write, so
 * concurrent redemptions converge on the truth on the display).
 */
export const announceNewOrder = async (
  ports: Pick<Ports, 'qrCodes' | 'bus'>,
  image: unknown,
): Promise<OrderItem> => {
  const order = OrderItemSchema.parse(image);
  if (order.qrBucket === undefined || order.codeExpiresAt === undefined) {
    throw new Error(`order ${order.orderId} has no redeemed code to announce`);
  }
  const bucket = await ports.qrCodes.get(order.shopId, order.qrBucket);
  await ports.bus.emit('Validator.NewOrder', {
    version: 1,
    shopId: order.shopId,
    orderId: order.orderId,
    customerId: order.customerId,
    at: order.createdAt,
    remaining: bucket?.remaining ?? 0,
    codeExpiresAt: order.codeExpiresAt,
  });
  return order;
};
