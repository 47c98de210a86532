import { type Order, type OrderItem, OrderItemSchema, type OrderStatus } from '@espresso/schemas';

/*
 * The orders table's storage layout, known to the adapters alone. One partition per shop
 * (never one for every order, reference defect 25):
 * - table: `pk = SHOP#<shopId>`, `sk = ORDER#<orderId>`;
 * - index `byStatus`: `gsi1pk = SHOP#<shopId>#STATUS#<status>`,
 *   `gsi1sk = <submittedAt or createdAt>#<orderId>`: a shop's orders in one status, oldest
 *   placed first (the queue's order, unchanged by an unclaim); query it descending for the
 *   most recent (`ready`);
 * - index `byCustomer`: `gsi2pk = CUSTOMER#<customerId>`, `gsi2sk = <createdAt>#<orderId>`:
 *   a customer's history across shops, newest first when queried descending.
 */
export const ORDERS_TABLE_INDEXES = Object.freeze({
  byStatus: Object.freeze({ name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }),
  byCustomer: Object.freeze({ name: 'byCustomer', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' }),
} as const);

export const orderKey = (shopId: string, orderId: string) => ({
  pk: `SHOP#${shopId}`,
  sk: `ORDER#${orderId}`,
});

export const orderStatusKey = (
  shopId: string,
  status: OrderStatus,
  placedAt: string,
  orderId: string,
) => ({
  gsi1pk: `SHOP#${shopId}#STATUS#${status}`,
  gsi1sk: `${placedAt}#${orderId}`,
});

export const orderCustomerKey = (customerId: string, createdAt: string, orderId: string) => ({
  gsi2pk: `CUSTOMER#${customerId}`,
  gsi2sk: `${createdAt}#${orderId}`,
});

/** Every key attribute of an order item, computed from its fields. */
export const orderItemKeys = (
  order: Pick<Order, 'shopId' | 'orderId' | 'status' | 'customerId' | 'createdAt'> & {
    submittedAt?: string | undefined;
  },
) => ({
  ...orderKey(order.shopId, order.orderId),
  ...orderStatusKey(
    order.shopId,
    order.status,
    order.submittedAt ?? order.createdAt,
    order.orderId,
  ),
  ...orderCustomerKey(order.customerId, order.createdAt, order.orderId),
});

const KEY_NAMES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;

/** An order as the use cases build it: the item without its storage keys. */
export type UnkeyedOrderItem = Omit<OrderItem, (typeof KEY_NAMES)[number]>;

/** The item with its keys, as stored. */
export const withKeys = (order: UnkeyedOrderItem): OrderItem => ({
  ...orderItemKeys(order),
  ...order,
});

/** An order item as stored: the item schema, and every key what the item's fields make it. */
export const StoredOrderSchema = OrderItemSchema.superRefine((item, ctx) => {
  const keys = orderItemKeys(item);
  for (const name of KEY_NAMES) {
    if (item[name] !== keys[name]) {
      ctx.addIssue({ code: 'custom', path: [name], message: `${name} must be ${keys[name]}` });
    }
  }
});
