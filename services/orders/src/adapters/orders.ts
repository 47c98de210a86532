import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { jitteredPause, retry, sleep } from '@espresso/retry';
import {
  isTerminalStatus,
  ORDERS_TABLE_INDEXES,
  type OrderItem,
  OrderItemSchema,
  type OrderStatus,
  orderKey,
  orderStatusKey,
} from '@espresso/schemas';

export type PlaceFailure = 'CODE_USED_UP' | 'DAILY_LIMIT' | 'DUPLICATE' | 'CONTENDED';

/** How an OrderProcessor execution's admission of its order went (see `admit`). */
export type Admission = 'ADMITTED' | 'AT_CAPACITY' | 'DUPLICATE';

/** The counters table's item of a shop's open orders (capacity). */
export const OPEN_ORDERS = 'OPEN_ORDERS';
/** The counters table's item of a shop's last order number. */
export const ORDER_NUMBER = 'ORDER_NUMBER';

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
  /**
   * Takes the order for an OrderProcessor execution: sets its `executionArn` unless another
   * execution already carries it. `false`: another one does, or the order does not exist.
   */
  claim(request: { shopId: string; orderId: string; executionArn: string }): Promise<boolean>;
  /**
   * In one transaction: takes the order for `executionArn` and records on it that it holds a
   * slot (only if it holds none yet), and takes one of the shop's open-order slots (the
   * `OPEN_ORDERS` counter, below `slots.max`). A retried admission of the same execution finds
   * the slot recorded and takes no second one. `DUPLICATE`: another execution carries the order
   * (or it does not exist) — nothing written; `AT_CAPACITY`: the shop is full — the order is
   * only taken for this execution.
   */
  admit(request: {
    shopId: string;
    orderId: string;
    executionArn: string;
    slots: { table: string; max: number };
  }): Promise<Admission>;
  /** The shop's next order number (an atomic `ADD` on `ORDER_NUMBER`; no seeding). */
  nextNumber(request: { shopId: string; table: string }): Promise<number>;
  /**
   * Ends the order, in one transaction: sets `status.to` if the order is in one of
   * `status.from` (conditional on the status read), and with `slot` gives back the open-order
   * slot it holds (`slot` HELD → RELEASED and the counter's decrement), so a slot is never
   * given back twice. Without `status` (the OrderManager ended it) only the slot is given back.
   * With `executionArn`, an order another execution carries is left alone. Idempotent; returns
   * the order as it is now.
   */
  end(request: {
    shopId: string;
    orderId: string;
    /**
     * `unlessChosen`: not while the customer's choice is kept on the order (a choice the workflow
     * did not apply yet wins over the customer timeout); the slot is then kept too, since the
     * order goes on.
     */
    status?: {
      to: OrderStatus;
      from: OrderStatus[];
      set: Partial<OrderItem>;
      unlessChosen?: boolean;
    };
    slot?: { table: string };
    executionArn?: string | undefined;
  }): Promise<{ item: OrderItem | undefined; changed: boolean; released: boolean }>;
  /**
   * Keeps a customer's choice on an order whose workflow does not wait for it yet: only while
   * the order awaits selection and has no customer-phase token (the step that keeps the token
   * then finds the choice and applies it). False when the order moved on or the token was kept
   * meanwhile (the choice then goes through the OrderManager).
   */
  storeChoice(request: {
    shopId: string;
    orderId: string;
    set: Pick<OrderItem, 'drinkId' | 'modifiers' | 'updatedAt'>;
  }): Promise<boolean>;
  /**
   * Keeps a phase's task token while the order is in one of `from`. An `orderNumber` in `set`
   * is written only if the order has none or the same one: a number, once given, stays.
   */
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
/** Transactions an admission tries when concurrent ones on the shop's counter cancel it. */
const ADMIT_ATTEMPTS = 5;
/** Transactions a placement tries when concurrent ones on the code's bucket cancel it. */
const PLACE_ATTEMPTS = 5;

const reasonsOf = (error: TransactionCanceledException) =>
  (error.CancellationReasons ?? []).map((r) => r.Code);

/** A short random pause before retrying a transaction another one cancelled. */
const backoffMs = jitteredPause(20);
const backoff = (attempt: number) => sleep(backoffMs(attempt));

/** A placement that lost a transaction clash: `place` tries it again. */
class Contended extends Error {}

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

  const claim = async ({
    shopId,
    orderId,
    executionArn,
  }: {
    shopId: string;
    orderId: string;
    executionArn: string;
  }) => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: orderKey(shopId, orderId),
          UpdateExpression: 'SET #execution = :me',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#execution) OR #execution = :me)',
          ExpressionAttributeNames: { '#execution': 'executionArn' },
          ExpressionAttributeValues: { ':me': executionArn },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
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
          ExpressionAttributeNames: names([
            ...new Set([
              ...fields,
              'status',
              ...[...(extraCondition ?? '').matchAll(/#(\w+)/g)].map((m) => m[1] as string),
            ]),
          ]),
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

  /** One placement transaction; what refused it, or undefined once written. */
  const placeOnce = async ({
    order,
    qr,
    daily,
  }: Parameters<OrdersTable['place']>[0]): Promise<PlaceFailure | undefined> => {
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
      const reasons = reasonsOf(error);
      // DynamoDB cancels a transaction that clashes with a concurrent one on the same item.
      if (reasons.includes('TransactionConflict')) return 'CONTENDED';
      // An order that exists first: a retried request (Idempotency-Key) is answered as a replay.
      if (reasons[2] === 'ConditionalCheckFailed') return 'DUPLICATE';
      if (reasons[0] === 'ConditionalCheckFailed') return 'CODE_USED_UP';
      if (reasons[1] === 'ConditionalCheckFailed') return 'DAILY_LIMIT';
      throw error;
    }
  };

  return {
    get,

    async place(request) {
      // DynamoDB cancels a transaction that clashes with a concurrent one on the same item (many
      // customers redeeming one code at once): tried again here, so a client meets the "in
      // demand" 409 only when the clash outlasts every attempt.
      const placeUncontended = async () => {
        const failure = await placeOnce(request);
        if (failure === 'CONTENDED') throw new Contended();
        return failure;
      };
      return retry(placeUncontended, {
        attempts: PLACE_ATTEMPTS,
        pauseMs: backoffMs,
        retryOn: (error) => error instanceof Contended,
      }).catch((error: unknown) => {
        if (error instanceof Contended) return 'CONTENDED' as const;
        throw error;
      });
    },

    claim,

    async admit({ shopId, orderId, executionArn, slots }) {
      // A transaction cancelled by a concurrent one (or by an order this execution's own lost
      // attempt changed) is tried again; the last error is thrown after ADMIT_ATTEMPTS.
      const worthRetrying = new WeakSet<Error>();
      const admitOnce = async (): Promise<Admission> => {
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: orderKey(shopId, orderId),
                    UpdateExpression: 'SET #execution = :me, #slot = :held',
                    ConditionExpression:
                      'attribute_exists(pk) AND (attribute_not_exists(#execution) OR #execution = :me) AND attribute_not_exists(#slot)',
                    ExpressionAttributeNames: { '#execution': 'executionArn', '#slot': 'slot' },
                    ExpressionAttributeValues: { ':me': executionArn, ':held': 'HELD' },
                  },
                },
                {
                  Update: {
                    TableName: slots.table,
                    Key: { shopId, counter: OPEN_ORDERS },
                    UpdateExpression: 'ADD #value :one',
                    ConditionExpression: 'attribute_not_exists(#value) OR #value < :max',
                    ExpressionAttributeNames: { '#value': 'value' },
                    ExpressionAttributeValues: { ':one': 1, ':max': slots.max },
                  },
                },
              ],
            }),
          );
          return 'ADMITTED';
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const [order, counter] = reasonsOf(error);
          if (order === 'ConditionalCheckFailed') {
            const current = await get(shopId, orderId);
            if (!current) return 'DUPLICATE';
            if (current.executionArn && current.executionArn !== executionArn) return 'DUPLICATE';
            // This execution's earlier attempt took the slot (its answer was lost): done.
            if (current.slot) return 'ADMITTED';
          } else if (counter === 'ConditionalCheckFailed') {
            return (await claim({ shopId, orderId, executionArn })) ? 'AT_CAPACITY' : 'DUPLICATE';
          } else if (!reasonsOf(error).includes('TransactionConflict')) {
            throw error;
          }
          worthRetrying.add(error);
          throw error;
        }
      };
      return retry(admitOnce, {
        attempts: ADMIT_ATTEMPTS,
        pauseMs: backoffMs,
        retryOn: (error) => worthRetrying.has(error),
      });
    },

    async nextNumber({ shopId, table }) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: table,
          Key: { shopId, counter: ORDER_NUMBER },
          UpdateExpression: 'ADD #value :one',
          ExpressionAttributeNames: { '#value': 'value' },
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const value = Attributes?.value;
      if (typeof value !== 'number') throw new Error(`no ${ORDER_NUMBER} value for ${shopId}`);
      return value;
    },

    async end({ shopId, orderId, status, slot, executionArn }) {
      // The index keys are computed from the item read, so the write is conditional on the very
      // status read: a change landing in between (a choice racing the customer timeout) makes
      // it read again rather than store keys of a stale item.
      let decrement = true;
      for (let attempt = 1; ; attempt++) {
        const current = await get(shopId, orderId);
        if (!current) return { item: undefined, changed: false, released: false };
        if (executionArn && current.executionArn && current.executionArn !== executionArn) {
          // Another execution carries this order: its ending and its slot are that one's.
          return { item: current, changed: false, released: false };
        }
        const chosen = status?.unlessChosen === true && current.drinkId !== undefined;
        const apply = status?.from.includes(current.status) === true && !chosen;
        // An order that may still go on keeps its slot: released only with this ending, or
        // when the order already ended otherwise.
        const goesOn = status?.unlessChosen === true && !apply && !isTerminalStatus(current.status);
        const release = slot !== undefined && current.slot === 'HELD' && !goesOn;
        if (!apply && !release) return { item: current, changed: false, released: false };
        const placedAt = current.submittedAt ?? current.createdAt;
        const set: Record<string, unknown> = {
          ...(apply && status
            ? {
                ...status.set,
                status: status.to,
                ...orderStatusKey(shopId, status.to, placedAt, orderId),
              }
            : {}),
          ...(release ? { slot: 'RELEASED' } : {}),
          ...(executionArn ? { executionArn } : {}),
        };
        const fields = Object.keys(set);
        const update = {
          TableName: tableName,
          Key: orderKey(shopId, orderId),
          UpdateExpression: `SET ${fields.map((f) => `#${f} = :${f}`).join(', ')}`,
          ConditionExpression: [
            'attribute_exists(pk)',
            '#status = :read',
            ...(apply && status?.unlessChosen ? ['attribute_not_exists(#drinkId)'] : []),
            ...(release ? ['#slot = :held'] : []),
            ...(executionArn
              ? ['(attribute_not_exists(#executionArn) OR #executionArn = :executionArn)']
              : []),
          ].join(' AND '),
          ExpressionAttributeNames: names([
            ...new Set([
              ...fields,
              'status',
              ...(apply && status?.unlessChosen ? ['drinkId'] : []),
            ]),
          ]),
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map((f) => [`:${f}`, set[f]])),
            ':read': current.status,
            ...(release ? { ':held': 'HELD' } : {}),
          },
        };
        if (!release || slot === undefined) {
          try {
            await client.send(new UpdateCommand(update));
            return { item: await get(shopId, orderId), changed: true, released: false };
          } catch (error) {
            if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
          }
        } else {
          try {
            await client.send(
              new TransactWriteCommand({
                TransactItems: [
                  { Update: update },
                  ...(decrement
                    ? [
                        {
                          Update: {
                            TableName: slot.table,
                            Key: { shopId, counter: OPEN_ORDERS },
                            UpdateExpression: 'ADD #value :minusOne',
                            ConditionExpression: '#value >= :one',
                            ExpressionAttributeNames: { '#value': 'value' },
                            ExpressionAttributeValues: { ':minusOne': -1, ':one': 1 },
                          },
                        },
                      ]
                    : []),
                ],
              }),
            );
            return { item: await get(shopId, orderId), changed: apply, released: true };
          } catch (error) {
            if (!(error instanceof TransactionCanceledException)) throw error;
            const [order, counter] = reasonsOf(error);
            // The counter is already at zero (set by hand): the slot is given back on the
            // order alone rather than driving the count below zero.
            if (order !== 'ConditionalCheckFailed' && counter === 'ConditionalCheckFailed') {
              decrement = false;
            } else if (
              order !== 'ConditionalCheckFailed' &&
              !reasonsOf(error).includes('TransactionConflict')
            ) {
              throw error;
            }
          }
        }
        if (attempt >= END_ATTEMPTS) {
          throw new Error(`order ${orderId} kept changing: its ending could not be written`);
        }
        await backoff(attempt);
      }
    },

    async storeChoice({ shopId, orderId, set }) {
      return conditionalSet(
        shopId,
        orderId,
        set,
        ['AWAITING_SELECTION'],
        'attribute_not_exists(#customerTaskToken)',
      );
    },

    async keepToken({ shopId, orderId, attribute, token, from, set = {}, now }) {
      const changed = await conditionalSet(
        shopId,
        orderId,
        { ...set, [attribute]: token, updatedAt: now },
        from,
        set.orderNumber === undefined
          ? undefined
          : '(attribute_not_exists(#orderNumber) OR #orderNumber = :orderNumber)',
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
