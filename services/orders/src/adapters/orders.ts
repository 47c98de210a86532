import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ORDERS_TABLE_INDEXES,
  type OrderItem,
  OrderItemSchema,
  type OrderStatus,
  orderKey,
  orderStatusKey,
} from '@espresso/schemas';

export type PlaceFailure = 'CODE_USED_UP' | 'DAILY_LIMIT' | 'DUPLICATE' | 'CONTENDED';

export interface OrdersTable {
  get(shopId: string, orderId: string): Promise<OrderItem | undefined>;
  /**
   * In one transaction: takes one order from the QR bucket (never below zero), one from the
   * customer's daily allowance, and stores the new order. Nothing is written if any fails.
   */
  place(request: {
    order: OrderItem;
    qr: { table: string; bucket: number; code: string };
    daily: { table: string; counter: string; limit: number; ttl: number };
  }): Promise<PlaceFailure | undefined>;
  /** Sets the ending status if the order is in one of `from` (idempotent); returns the order. */
  end(request: {
    shopId: string;
    orderId: string;
    to: OrderStatus;
    from: OrderStatus[];
    set: Partial<OrderItem>;
  }): Promise<{ item: OrderItem | undefined; changed: boolean }>;
  /** Keeps a phase's task token while the order is in one of `from`. */
  keepToken(request: {
    shopId: string;
    orderId: string;
    attribute: 'customerTaskToken' | 'baristaTaskToken';
    token: string;
    from: OrderStatus[];
    set?: Partial<OrderItem>;
    now: string;
  }): Promise<{ item: OrderItem | undefined; changed: boolean }>;
  byStatus(
    shopId: string,
    status: OrderStatus,
    options: { newestFirst: boolean; limit: number },
  ): Promise<OrderItem[]>;
  byCustomer(customerId: string, limit: number): Promise<OrderItem[]>;
}

const names = (fields: string[]) => Object.fromEntries(fields.map((f) => [`#${f}`, f]));

/** Reads and conditional writes an ending tries before it gives up on a changing order. */
const END_ATTEMPTS = 5;

export const buildOrdersTable = (
  client: DynamoDBDocumentClient,
  tableName: string,
): OrdersTable => {
  const get = async (shopId: string, orderId: string) => {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: orderKey(shopId, orderId),
        ConsistentRead: true,
      }),
    );
    return Item ? OrderItemSchema.parse(Item) : undefined;
  };

  /** A conditional update of plain fields; `false` when the condition failed. */
  const conditionalSet = async (
    shopId: string,
    orderId: string,
    set: Record<string, unknown>,
    from: OrderStatus[],
    extraCondition?: string,
  ): Promise<boolean> => {
    const fields = Object.keys(set);
    const statuses = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKey(shopId, orderId),
          UpdateExpression: `SET ${fields.map((f) => `#${f} = :${f}`).join(', ')}`,
          ConditionExpression: [
            'attribute_exists(pk)',
            `#status IN (${Object.keys(statuses).join(', ')})`,
            ...(extraCondition ? [extraCondition] : []),
          ].join(' AND '),
          ExpressionAttributeNames: names([...new Set([...fields, 'status'])]),
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map((f) => [`:${f}`, set[f]])),
            ...statuses,
          },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };

  return {
    get,

    async place({ order, qr, daily }) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: qr.table,
                  Key: { shopId: order.shopId, bucket: qr.bucket },
                  UpdateExpression: 'SET remaining = remaining - :one',
                  ConditionExpression: 'code = :code AND remaining > :zero',
                  ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':code': qr.code },
                },
              },
              {
                Update: {
                  TableName: daily.table,
                  Key: { shopId: order.shopId, counter: daily.counter },
                  UpdateExpression: 'ADD #value :one SET #ttl = :ttl',
                  ConditionExpression: 'attribute_not_exists(#value) OR #value < :limit',
                  ExpressionAttributeNames: { '#value': 'value', '#ttl': 'ttl' },
                  ExpressionAttributeValues: {
                    ':one': 1,
                    ':limit': daily.limit,
                    ':ttl': daily.ttl,
                  },
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: OrderItemSchema.parse(order),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return undefined;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code);
        // DynamoDB cancels a transaction that clashes with a concurrent one on the same item.
        if (reasons.includes('TransactionConflict')) return 'CONTENDED';
        if (reasons[0] === 'ConditionalCheckFailed') return 'CODE_USED_UP';
        if (reasons[1] === 'ConditionalCheckFailed') return 'DAILY_LIMIT';
        if (reasons[2] === 'ConditionalCheckFailed') return 'DUPLICATE';
        throw error;
      }
    },

    async end({ shopId, orderId, to, from, set }) {
      // The index keys are computed from the item read, so the write is conditional on the very
      // status read: a change landing in between (a choice racing the customer timeout) makes
      // it read again rather than store keys of a stale item.
      for (let attempt = 1; ; attempt++) {
        const current = await get(shopId, orderId);
        if (!current) return { item: undefined, changed: false };
        if (!from.includes(current.status)) return { item: current, changed: false };
        const placedAt = current.submittedAt ?? current.createdAt;
        const changed = await conditionalSet(
          shopId,
          orderId,
          { ...set, status: to, ...orderStatusKey(shopId, to, placedAt, orderId) },
          [current.status],
        );
        if (changed || attempt >= END_ATTEMPTS) {
          return { item: await get(shopId, orderId), changed };
        }
      }
    },

    async keepToken({ shopId, orderId, attribute, token, from, set = {}, now }) {
      const changed = await conditionalSet(
        shopId,
        orderId,
        { ...set, [attribute]: token, updatedAt: now },
        from,
      );
      return { item: await get(shopId, orderId), changed };
    },

    async byStatus(shopId, status, { newestFirst, limit }) {
      const { name, partitionKey } = ORDERS_TABLE_INDEXES.byStatus;
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':pk': orderStatusKey(shopId, status, '', '').gsi1pk },
          ScanIndexForward: !newestFirst,
          Limit: limit,
        }),
      );
      return Items.map((item) => OrderItemSchema.parse(item));
    },

    async byCustomer(customerId, limit) {
      const { name, partitionKey } = ORDERS_TABLE_INDEXES.byCustomer;
      const items: OrderItem[] = [];
      const pages = paginateQuery(
        { client, pageSize: limit },
        {
          TableName: tableName,
          IndexName: name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': partitionKey },
          ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
          ScanIndexForward: false,
        },
      );
      for await (const page of pages) {
        for (const item of page.Items ?? []) items.push(OrderItemSchema.parse(item));
        if (items.length >= limit) break;
      }
      return items.slice(0, limit);
    },
  };
};
