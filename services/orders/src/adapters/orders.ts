import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { jitteredPause, retry, sleep } from '@espresso/retry';
import { isTerminalStatus, type OrderItem, type OrderStatus } from '@espresso/schemas';
import {
  ORDERS_TABLE_INDEXES,
  orderCustomerKey,
  orderKey,
  orderStatusKey,
  StoredOrderSchema,
  type UnkeyedOrderItem,
  withKeys,
} from './orderKeys';

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
    /** The new order, as the use case built it: its storage keys are added here. */
    order: UnkeyedOrderItem;
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

type PlaceRequest = Parameters<OrdersTable['place']>[0];
type ClaimRequest = Parameters<OrdersTable['claim']>[0];
type AdmitRequest = Parameters<OrdersTable['admit']>[0];
type EndRequest = Parameters<OrdersTable['end']>[0];

/** Reads and conditional writes an ending tries before it gives up on a changing order. */
const END_ATTEMPTS = 5;
/** The table an adapter function works on. */
interface Table {
  client: DynamoDBDocumentClient;
  tableName: string;
}

type Update = NonNullable<
  NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']
>;

const isConditionFailed = (error: unknown) =>
  (error as Error).name === 'ConditionalCheckFailedException';

/** The reason codes of a cancelled transaction, one per item; any other error is thrown on. */
const cancellationReasons = (error: unknown): (string | undefined)[] => {
  if (!(error instanceof TransactionCanceledException)) throw error;
  return (error.CancellationReasons ?? []).map((r) => r.Code);
};

/** A short random pause before retrying a transaction another one cancelled. */
const backoffMs = jitteredPause(20);
const backoff = (attempt: number) => sleep(backoffMs(attempt));

/** A placement or admission that lost a transaction clash: tried again by `retry`. */
class TryAgain extends Error {
  constructor(readonly failure: unknown) {
    super('tried again');
  }
}

/**
 * How a placement (concurrent ones on the code's bucket) or an admission (on the shop's counter)
 * is tried again when another transaction cancelled it: 5 transactions at most, a short random
 * pause between them.
 */
const WHEN_CONTENDED = {
  attempts: 5,
  pauseMs: backoffMs,
  retryOn: (error: unknown) => error instanceof TryAgain,
};

/** Sends a conditional write; `false` when its condition failed. */
const sendConditional = async (client: DynamoDBDocumentClient, command: UpdateCommand) => {
  try {
    await client.send(command);
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
};

/** `SET #a = :a, …` of `set`, with its names and values. */
const setExpression = (set: Record<string, unknown>) => {
  const fields = Object.keys(set);
  return {
    UpdateExpression: `SET ${fields.map((f) => `#${f} = :${f}`).join(', ')}`,
    names: fields,
    values: Object.fromEntries(fields.map((f) => [`:${f}`, set[f]])),
  };
};

const namesOf = (fields: string[]) =>
  Object.fromEntries([...new Set(fields)].map((f) => [`#${f}`, f]));

/** An atomic `ADD` to a counters-table item (`add`: its one placeholder and value), under `condition`. */
const counterUpdate = (
  table: string,
  key: { shopId: string; counter: string },
  add: { ':one': 1 } | { ':minusOne': -1 },
  condition?: { expression: string; values: Record<string, unknown> },
): Update => ({
  TableName: table,
  Key: key,
  UpdateExpression: `ADD #value ${Object.keys(add)[0]}`,
  ...(condition ? { ConditionExpression: condition.expression } : {}),
  ExpressionAttributeNames: { '#value': 'value' },
  ExpressionAttributeValues: { ...add, ...condition?.values },
});

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

const getOrder = async ({ client, tableName }: Table, shopId: string, orderId: string) => {
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: orderKey(shopId, orderId), ConsistentRead: true }),
  );
  return Item ? StoredOrderSchema.parse(Item) : undefined;
};

const ordersByStatus = async (
  { client, tableName }: Table,
  shopId: string,
  status: OrderStatus,
  { newestFirst, limit }: { newestFirst: boolean; limit: number },
) => {
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
  return Items.map((item) => StoredOrderSchema.parse(item));
};

const ordersByCustomer = async (
  { client, tableName }: Table,
  customerId: string,
  limit: number,
) => {
  const { name, partitionKey } = ORDERS_TABLE_INDEXES.byCustomer;
  const items: OrderItem[] = [];
  const pages = paginateQuery(
    { client, pageSize: limit },
    {
      TableName: tableName,
      IndexName: name,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': partitionKey },
      ExpressionAttributeValues: { ':pk': orderCustomerKey(customerId, '', '').gsi2pk },
      ScanIndexForward: false,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) items.push(StoredOrderSchema.parse(item));
    if (items.length >= limit) break;
  }
  return items.slice(0, limit);
};

// ---------------------------------------------------------------------------------------------
// Placement
// ---------------------------------------------------------------------------------------------

/** The placement transaction: the code's bucket, the daily allowance, the new order. */
const placementItems = (
  { tableName }: Table,
  { order, qr, daily }: PlaceRequest,
): NonNullable<TransactWriteCommandInput['TransactItems']> => [
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
      ExpressionAttributeValues: { ':one': 1, ':limit': daily.limit, ':ttl': daily.ttl },
    },
  },
  {
    Put: {
      TableName: tableName,
      Item: StoredOrderSchema.parse(withKeys(order)),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
];

/** What refused a placement, from its transaction's cancellation reasons. */
const placeFailureOf = (error: unknown): PlaceFailure => {
  const reasons = cancellationReasons(error);
  // DynamoDB cancels a transaction that clashes with a concurrent one on the same item.
  if (reasons.includes('TransactionConflict')) return 'CONTENDED';
  // An order that exists first: a retried request (Idempotency-Key) is answered as a replay.
  if (reasons[2] === 'ConditionalCheckFailed') return 'DUPLICATE';
  if (reasons[0] === 'ConditionalCheckFailed') return 'CODE_USED_UP';
  if (reasons[1] === 'ConditionalCheckFailed') return 'DAILY_LIMIT';
  throw error;
};

/** One placement transaction; what refused it, or undefined once written. */
const placeOnce = async (table: Table, request: PlaceRequest) => {
  try {
    await table.client.send(
      new TransactWriteCommand({ TransactItems: placementItems(table, request) }),
    );
    return undefined;
  } catch (error) {
    return placeFailureOf(error);
  }
};

/**
 * DynamoDB cancels a transaction that clashes with a concurrent one on the same item (many
 * customers redeeming one code at once): tried again here, so a client meets the "in demand"
 * 409 only when the clash outlasts every attempt.
 */
const placeOrder = (table: Table, request: PlaceRequest) =>
  retry(async () => {
    const failure = await placeOnce(table, request);
    if (failure === 'CONTENDED') throw new TryAgain(failure);
    return failure;
  }, WHEN_CONTENDED).catch((error: unknown) => {
    if (error instanceof TryAgain) return 'CONTENDED' as const;
    throw error;
  });

// ---------------------------------------------------------------------------------------------
// Claim and admission
// ---------------------------------------------------------------------------------------------

/** Whether `:me` may carry the order: it exists and no other execution carries it. */
const MAY_CARRY = 'attribute_exists(pk) AND (attribute_not_exists(#execution) OR #execution = :me)';

const claimOrder = ({ client, tableName }: Table, request: ClaimRequest) =>
  sendConditional(
    client,
    new UpdateCommand({
      TableName: tableName,
      Key: orderKey(request.shopId, request.orderId),
      UpdateExpression: 'SET #execution = :me',
      ConditionExpression: MAY_CARRY,
      ExpressionAttributeNames: { '#execution': 'executionArn' },
      ExpressionAttributeValues: { ':me': request.executionArn },
    }),
  );

/** The admission transaction: the order taken with a slot recorded, and the slot counted. */
const admissionItems = ({ tableName }: Table, request: AdmitRequest) => [
  {
    Update: {
      TableName: tableName,
      Key: orderKey(request.shopId, request.orderId),
      UpdateExpression: 'SET #execution = :me, #slot = :held',
      ConditionExpression: `${MAY_CARRY} AND attribute_not_exists(#slot)`,
      ExpressionAttributeNames: { '#execution': 'executionArn', '#slot': 'slot' },
      ExpressionAttributeValues: { ':me': request.executionArn, ':held': 'HELD' },
    },
  },
  {
    Update: counterUpdate(
      request.slots.table,
      { shopId: request.shopId, counter: OPEN_ORDERS },
      { ':one': 1 },
      {
        expression: 'attribute_not_exists(#value) OR #value < :max',
        values: { ':max': request.slots.max },
      },
    ),
  },
];

/** Why the order's condition failed: carried by another execution, or admitted already. */
const admissionFound = async (
  table: Table,
  request: AdmitRequest,
): Promise<Admission | undefined> => {
  const current = await getOrder(table, request.shopId, request.orderId);
  if (!current) return 'DUPLICATE';
  if (current.executionArn && current.executionArn !== request.executionArn) return 'DUPLICATE';
  // This execution's earlier attempt took the slot (its answer was lost): done.
  if (current.slot) return 'ADMITTED';
  return undefined;
};

/** One admission transaction; `again` (the error) when it is worth trying again. */
const admitOnce = async (
  table: Table,
  request: AdmitRequest,
): Promise<Admission | { again: unknown }> => {
  try {
    await table.client.send(
      new TransactWriteCommand({ TransactItems: admissionItems(table, request) }),
    );
    return 'ADMITTED';
  } catch (error) {
    const reasons = cancellationReasons(error);
    const [order, counter] = reasons;
    if (order === 'ConditionalCheckFailed') {
      return (await admissionFound(table, request)) ?? { again: error };
    }
    if (counter === 'ConditionalCheckFailed') {
      return (await claimOrder(table, request)) ? 'AT_CAPACITY' : 'DUPLICATE';
    }
    if (!reasons.includes('TransactionConflict')) throw error;
    return { again: error };
  }
};

/** A transaction cancelled by a concurrent one is tried again; the last error after every attempt. */
const admitOrder = (table: Table, request: AdmitRequest): Promise<Admission> =>
  retry(async () => {
    const admission = await admitOnce(table, request);
    if (typeof admission === 'string') return admission;
    throw new TryAgain(admission.again);
  }, WHEN_CONTENDED).catch((error: unknown) => {
    throw error instanceof TryAgain ? error.failure : error;
  });

const nextOrderNumber = async (
  { client }: Table,
  { shopId, table }: { shopId: string; table: string },
) => {
  const { Attributes } = await client.send(
    new UpdateCommand({
      ...counterUpdate(table, { shopId, counter: ORDER_NUMBER }, { ':one': 1 }),
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const value = Attributes?.value;
  if (typeof value !== 'number') throw new Error(`no ${ORDER_NUMBER} value for ${shopId}`);
  return value;
};

// ---------------------------------------------------------------------------------------------
// Ending
// ---------------------------------------------------------------------------------------------

/** What an ending does to the order as read: its status change, its slot given back. */
export interface EndingPlan {
  apply: boolean;
  release: boolean;
  /** The fields written (status and index keys, slot, execution). */
  set: Partial<OrderItem>;
}

/**
 * Plans an ending on the order as read (shared with the in-memory fake, so both decide alike);
 * undefined when it leaves the order alone.
 */
export const planEnding = (current: OrderItem, request: EndRequest): EndingPlan | undefined => {
  const { shopId, orderId, status, slot, executionArn } = request;
  // Another execution carries this order: its ending and its slot are that one's.
  if (executionArn && current.executionArn && current.executionArn !== executionArn) {
    return undefined;
  }
  const chosen = status?.unlessChosen === true && current.drinkId !== undefined;
  const apply = status?.from.includes(current.status) === true && !chosen;
  // An order that may still go on keeps its slot: released only with this ending, or when the
  // order already ended otherwise.
  const goesOn = status?.unlessChosen === true && !apply && !isTerminalStatus(current.status);
  const release = slot !== undefined && current.slot === 'HELD' && !goesOn;
  if (!apply && !release) return undefined;
  const placedAt = current.submittedAt ?? current.createdAt;
  const set: Partial<OrderItem> = {
    ...(apply && status
      ? {
          ...status.set,
          status: status.to,
          ...orderStatusKey(shopId, status.to, placedAt, orderId),
        }
      : {}),
    ...(release ? { slot: 'RELEASED' as const } : {}),
    ...(executionArn ? { executionArn } : {}),
  };
  return { apply, release, set };
};

/**
 * The ending's update of the order, conditional on the very status read: a change landing in
 * between (a choice racing the customer timeout) makes it read again rather than store index
 * keys of a stale item.
 */
const endingUpdate = (
  { tableName }: Table,
  current: OrderItem,
  request: EndRequest,
  { apply, release, set }: EndingPlan,
): Update => {
  const expression = setExpression(set);
  const unlessChosen = apply && request.status?.unlessChosen === true;
  return {
    TableName: tableName,
    Key: orderKey(request.shopId, request.orderId),
    UpdateExpression: expression.UpdateExpression,
    ConditionExpression: [
      'attribute_exists(pk)',
      '#status = :read',
      ...(unlessChosen ? ['attribute_not_exists(#drinkId)'] : []),
      ...(release ? ['#slot = :held'] : []),
      ...(request.executionArn
        ? ['(attribute_not_exists(#executionArn) OR #executionArn = :executionArn)']
        : []),
    ].join(' AND '),
    ExpressionAttributeNames: namesOf([
      ...expression.names,
      'status',
      ...(unlessChosen ? ['drinkId'] : []),
    ]),
    ExpressionAttributeValues: {
      ...expression.values,
      ':read': current.status,
      ...(release ? { ':held': 'HELD' } : {}),
    },
  };
};

type EndResult = Awaited<ReturnType<OrdersTable['end']>>;

/** The ending without a slot to give back: one conditional update. */
const endWithoutSlot = async (table: Table, update: Update, request: EndRequest) => {
  if (!(await sendConditional(table.client, new UpdateCommand(update)))) return undefined;
  return {
    item: await getOrder(table, request.shopId, request.orderId),
    changed: true,
    released: false,
  };
};

/**
 * The ending with its slot given back, in one transaction with the counter's decrement (never
 * below zero). `decrement: false` when the counter is already at zero (set by hand): the slot is
 * then given back on the order alone. Undefined: try again (the order moved, or a clash).
 */
const endWithSlot = async (
  table: Table,
  update: Update,
  request: EndRequest & { slot: { table: string } },
  plan: EndingPlan,
  decrement: { value: boolean },
): Promise<EndResult | undefined> => {
  const key = { shopId: request.shopId, counter: OPEN_ORDERS };
  try {
    await table.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: update },
          ...(decrement.value
            ? [
                {
                  Update: counterUpdate(
                    request.slot.table,
                    key,
                    { ':minusOne': -1 },
                    {
                      expression: '#value >= :one',
                      values: { ':one': 1 },
                    },
                  ),
                },
              ]
            : []),
        ],
      }),
    );
    const item = await getOrder(table, request.shopId, request.orderId);
    return { item, changed: plan.apply, released: true };
  } catch (error) {
    const reasons = cancellationReasons(error);
    const [order, counter] = reasons;
    if (order === 'ConditionalCheckFailed') return undefined;
    if (counter === 'ConditionalCheckFailed') decrement.value = false;
    else if (!reasons.includes('TransactionConflict')) throw error;
    return undefined;
  }
};

const endOrder = async (table: Table, request: EndRequest): Promise<EndResult> => {
  const decrement = { value: true };
  for (let attempt = 1; ; attempt++) {
    const current = await getOrder(table, request.shopId, request.orderId);
    if (!current) return { item: undefined, changed: false, released: false };
    const plan = planEnding(current, request);
    if (!plan) return { item: current, changed: false, released: false };
    const update = endingUpdate(table, current, request, plan);
    const { slot } = request;
    const ended =
      plan.release && slot
        ? await endWithSlot(table, update, { ...request, slot }, plan, decrement)
        : await endWithoutSlot(table, update, request);
    if (ended) return ended;
    if (attempt >= END_ATTEMPTS) {
      throw new Error(`order ${request.orderId} kept changing: its ending could not be written`);
    }
    await backoff(attempt);
  }
};

// ---------------------------------------------------------------------------------------------
// Choices and task tokens
// ---------------------------------------------------------------------------------------------

/** A conditional update of plain fields while the order is in one of `from`. */
const setWhileIn = (
  { client, tableName }: Table,
  key: { shopId: string; orderId: string },
  set: Record<string, unknown>,
  from: OrderStatus[],
  extraCondition?: string,
): Promise<boolean> => {
  const expression = setExpression(set);
  const statuses = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
  const extraNames = [...(extraCondition ?? '').matchAll(/#(\w+)/g)].map((m) => m[1] as string);
  return sendConditional(
    client,
    new UpdateCommand({
      TableName: tableName,
      Key: orderKey(key.shopId, key.orderId),
      UpdateExpression: expression.UpdateExpression,
      ConditionExpression: [
        'attribute_exists(pk)',
        `#status IN (${Object.keys(statuses).join(', ')})`,
        ...(extraCondition ? [extraCondition] : []),
      ].join(' AND '),
      ExpressionAttributeNames: namesOf([...expression.names, 'status', ...extraNames]),
      ExpressionAttributeValues: { ...expression.values, ...statuses },
    }),
  );
};

const storeChoice = (table: Table, { set, ...key }: Parameters<OrdersTable['storeChoice']>[0]) =>
  setWhileIn(table, key, set, ['AWAITING_SELECTION'], 'attribute_not_exists(#customerTaskToken)');

const keepToken = async (table: Table, request: Parameters<OrdersTable['keepToken']>[0]) => {
  const { shopId, orderId, attribute, token, from, set = {}, now } = request;
  const changed = await setWhileIn(
    table,
    { shopId, orderId },
    { ...set, [attribute]: token, updatedAt: now },
    from,
    set.orderNumber === undefined
      ? undefined
      : '(attribute_not_exists(#orderNumber) OR #orderNumber = :orderNumber)',
  );
  return { item: await getOrder(table, shopId, orderId), changed };
};

export const buildOrdersTable = (
  client: DynamoDBDocumentClient,
  tableName: string,
): OrdersTable => {
  const table: Table = { client, tableName };
  return {
    get: (shopId, orderId) => getOrder(table, shopId, orderId),
    place: (request) => placeOrder(table, request),
    claim: (request) => claimOrder(table, request),
    admit: (request) => admitOrder(table, request),
    nextNumber: (request) => nextOrderNumber(table, request),
    end: (request) => endOrder(table, request),
    storeChoice: (request) => storeChoice(table, request),
    keepToken: (request) => keepToken(table, request),
    byStatus: (shopId, status, options) => ordersByStatus(table, shopId, status, options),
    byCustomer: (customerId, limit) => ordersByCustomer(table, customerId, limit),
  };
};
