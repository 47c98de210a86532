/*
 * Hand-written in-memory ports for the orders service's unit tests (imported by tests only, never
 * by a handler, so no bundle carries it). Each fake keeps the contract of the real adapter it
 * stands for: conditional writes on the status, the all-or-nothing `place` transaction, details
 * built through their schema before anything is emitted. `fakes.test.ts` holds them to it.
 */
import {
  buildEventEntry,
  type DetailType,
  type EventEntry,
  type Identity,
  type JourneyStep,
  type OrderItem,
  type OrderStatus,
  type ShopConfig,
  ShopConfigSchema,
} from '@espresso/schemas';
import type { Bus } from '../adapters/bus';
import { orderItemKeys, orderStatusKey, StoredOrderSchema, withKeys } from '../adapters/orderKeys';
import {
  type Admission,
  OPEN_ORDERS,
  ORDER_NUMBER,
  type OrdersTable,
  type PlaceFailure,
  planEnding,
} from '../adapters/orders';
import { type QrBucket, QrBucketSchema, type QrCodes } from '../adapters/qrCodes';
import type { Shops } from '../adapters/shops';
import type { ManagerResult, Workflows } from '../adapters/workflows';
import type { Change } from '../domain/transitions';
import type { Ports } from '../use-cases/ports';

export const SHOP = 'cafe';
export const OTHER_SHOP = 'other';
export const BUS = 'espresso-test-bus';
export const TABLES = { qrCodes: 'test-qr-codes', counters: 'test-counters' } as const;

/** Times of one order's journey, a few minutes apart. */
export const T0 = '2026-11-24T08:00:00.000Z';
export const T1 = '2026-11-24T08:01:00.000Z';
export const T2 = '2026-11-24T08:03:00.000Z';
export const T3 = '2026-11-24T08:06:00.000Z';
export const NOW = '2026-11-24T08:10:00.000Z';

// ---------------------------------------------------------------------------------------------
// Shops
// ---------------------------------------------------------------------------------------------

export class InMemoryShops implements Shops {
  private readonly items = new Map<string, ShopConfig>();

  constructor(...shops: ShopConfig[]) {
    for (const shop of shops) this.put(shop);
  }

  put(shop: ShopConfig): void {
    this.items.set(shop.shopId, structuredClone(ShopConfigSchema.parse(shop)));
  }

  async get(shopId: string): Promise<ShopConfig | undefined> {
    const item = this.items.get(shopId);
    return item && structuredClone(item);
  }
}

// ---------------------------------------------------------------------------------------------
// QR codes
// ---------------------------------------------------------------------------------------------

const bucketKey = (shopId: string, bucket: number) => `${shopId}#${bucket}`;

/** The QR codes table: one item per shop and time bucket, created once (conditional put). */
export class InMemoryQrCodes implements QrCodes {
  private readonly items = new Map<string, QrBucket>();
  /** How many `createOrGet` calls stored their candidate (the rest got the stored one). */
  created = 0;

  /** What is stored now (a copy), for assertions and for the orders table's transaction. */
  stored(shopId: string, bucket: number): QrBucket | undefined {
    const item = this.items.get(bucketKey(shopId, bucket));
    return item && structuredClone(item);
  }

  /** Writes a bucket unconditionally, as a display that asked earlier would have. */
  put(bucket: QrBucket): void {
    this.items.set(bucketKey(bucket.shopId, bucket.bucket), QrBucketSchema.parse(bucket));
  }

  /** Takes one order from a bucket; `false` (nothing written) unless code and count allow it. */
  take(shopId: string, bucket: number, code: string, apply: boolean): boolean {
    const item = this.items.get(bucketKey(shopId, bucket));
    if (!item || item.code !== code || item.remaining <= 0) return false;
    if (apply) item.remaining -= 1;
    return true;
  }

  async get(shopId: string, bucket: number): Promise<QrBucket | undefined> {
    await Promise.resolve();
    return this.stored(shopId, bucket);
  }

  async createOrGet(candidate: QrBucket): Promise<QrBucket> {
    // Let concurrent callers interleave up to the write, as two displays' requests would.
    await Promise.resolve();
    const key = bucketKey(candidate.shopId, candidate.bucket);
    const existing = this.items.get(key);
    if (existing) return structuredClone(existing);
    this.items.set(key, QrBucketSchema.parse(structuredClone(candidate)));
    this.created += 1;
    return structuredClone(candidate);
  }
}

// ---------------------------------------------------------------------------------------------
// Orders table (with the counters the `place` transaction touches)
// ---------------------------------------------------------------------------------------------

type PlaceRequest = Parameters<OrdersTable['place']>[0];

/** The orders table, and the counters table's items (allowances, slots, numbers), in memory. */
export class InMemoryOrders implements OrdersTable {
  private readonly items = new Map<string, OrderItem>();
  private readonly counters = new Map<string, { value: number; ttl?: number }>();
  /** Every `place` request, as the use case built it. */
  readonly placeRequests: PlaceRequest[] = [];
  /** When set, the next `place` fails with it and writes nothing (then it is cleared). */
  failNextPlace: PlaceFailure | undefined;

  constructor(
    readonly qrCodes: InMemoryQrCodes,
    ...orders: OrderItem[]
  ) {
    for (const order of orders) this.put(order);
  }

  /** What is stored now (a copy), for assertions. */
  stored(shopId: string, orderId: string): OrderItem | undefined {
    const item = this.items.get(`${shopId}#${orderId}`);
    return item && structuredClone(item);
  }

  /** Every stored order (copies). */
  all(): OrderItem[] {
    return [...this.items.values()].map((item) => structuredClone(item));
  }

  /** Writes an order unconditionally (it must be a valid item), as another writer would. */
  put(order: OrderItem): void {
    this.items.set(`${order.shopId}#${order.orderId}`, StoredOrderSchema.parse(order));
  }

  delete(shopId: string, orderId: string): void {
    this.items.delete(`${shopId}#${orderId}`);
  }

  /** A counter of the counters table, e.g. `CUSTOMER#<sub>#DAY#<yyyy-mm-dd>`, `OPEN_ORDERS`. */
  counter(shopId: string, counter: string): { value: number; ttl?: number } | undefined {
    const item = this.counters.get(`${shopId}#${counter}`);
    return item && { ...item };
  }

  /** Sets a counter, as another writer (or an operator) would. */
  setCounter(shopId: string, counter: string, value: number): void {
    this.counters.set(`${shopId}#${counter}`, { value });
  }

  async get(shopId: string, orderId: string): Promise<OrderItem | undefined> {
    await Promise.resolve();
    return this.stored(shopId, orderId);
  }

  async place(request: PlaceRequest): Promise<PlaceFailure | undefined> {
    await Promise.resolve();
    this.placeRequests.push(structuredClone(request));
    const forced = this.failNextPlace;
    this.failNextPlace = undefined;
    if (forced) return forced;
    const { order, qr, daily } = request;
    // The transaction's three conditions, checked before anything is written (an order that
    // exists is told first, as the adapter does).
    if (this.items.has(`${order.shopId}#${order.orderId}`)) return 'DUPLICATE';
    if (!this.qrCodes.take(order.shopId, qr.bucket, qr.code, false)) return 'CODE_USED_UP';
    const key = `${order.shopId}#${daily.counter}`;
    const count = this.counters.get(key)?.value;
    if (count !== undefined && count >= daily.limit) return 'DAILY_LIMIT';
    const item = StoredOrderSchema.parse(withKeys(order));
    this.qrCodes.take(order.shopId, qr.bucket, qr.code, true);
    this.counters.set(key, { value: (count ?? 0) + 1, ttl: daily.ttl });
    this.items.set(`${order.shopId}#${order.orderId}`, item);
    return undefined;
  }

  /** Whether `executionArn` may take the order (it exists and no other execution carries it). */
  private mayCarry(shopId: string, orderId: string, executionArn: string): OrderItem | undefined {
    const current = this.items.get(`${shopId}#${orderId}`);
    if (!current) return undefined;
    if (current.executionArn !== undefined && current.executionArn !== executionArn)
      return undefined;
    return current;
  }

  async claim(request: Parameters<OrdersTable['claim']>[0]): Promise<boolean> {
    await Promise.resolve();
    const { shopId, orderId, executionArn } = request;
    const current = this.mayCarry(shopId, orderId, executionArn);
    if (!current) return false;
    this.put({ ...current, executionArn });
    return true;
  }

  async admit(request: Parameters<OrdersTable['admit']>[0]): Promise<Admission> {
    await Promise.resolve();
    const { shopId, orderId, executionArn, slots } = request;
    const current = this.mayCarry(shopId, orderId, executionArn);
    // The transaction's two conditions, checked before anything is written.
    if (!current) return 'DUPLICATE';
    if (current.slot !== undefined) return 'ADMITTED'; // this execution's earlier attempt
    const key = `${shopId}#${OPEN_ORDERS}`;
    const open = this.counters.get(key)?.value;
    if (open !== undefined && open >= slots.max) {
      this.put({ ...current, executionArn });
      return 'AT_CAPACITY';
    }
    this.counters.set(key, { value: (open ?? 0) + 1 });
    this.put({ ...current, executionArn, slot: 'HELD' });
    return 'ADMITTED';
  }

  async nextNumber(request: Parameters<OrdersTable['nextNumber']>[0]): Promise<number> {
    await Promise.resolve();
    const key = `${request.shopId}#${ORDER_NUMBER}`;
    const value = (this.counters.get(key)?.value ?? 0) + 1;
    this.counters.set(key, { value });
    return value;
  }

  /** A conditional update on the status; `false` (nothing written) when the condition fails. */
  private conditionalSet(
    shopId: string,
    orderId: string,
    set: Partial<OrderItem>,
    from: OrderStatus[],
  ): boolean {
    const current = this.items.get(`${shopId}#${orderId}`);
    if (!current || !from.includes(current.status)) return false;
    this.items.set(`${shopId}#${orderId}`, StoredOrderSchema.parse({ ...current, ...set }));
    return true;
  }

  async end(request: Parameters<OrdersTable['end']>[0]) {
    await Promise.resolve();
    const { shopId, orderId } = request;
    const current = this.stored(shopId, orderId);
    if (!current) return { item: undefined, changed: false, released: false };
    // The adapter's own plan on the order read, so both decide alike.
    const plan = planEnding(current, request);
    if (!plan) return { item: current, changed: false, released: false };
    // One transaction: the ending, the slot given back and the counter's decrement (never
    // below zero) together.
    this.put({ ...current, ...plan.set });
    if (plan.release) {
      const key = `${shopId}#${OPEN_ORDERS}`;
      const open = this.counters.get(key)?.value ?? 0;
      if (open >= 1) this.counters.set(key, { value: open - 1 });
    }
    return { item: this.stored(shopId, orderId), changed: plan.apply, released: plan.release };
  }

  async storeChoice(request: Parameters<OrdersTable['storeChoice']>[0]) {
    await Promise.resolve();
    const { shopId, orderId, set } = request;
    if (this.items.get(`${shopId}#${orderId}`)?.customerTaskToken !== undefined) return false;
    return this.conditionalSet(shopId, orderId, set, ['AWAITING_SELECTION']);
  }

  async keepToken(request: Parameters<OrdersTable['keepToken']>[0]) {
    await Promise.resolve();
    const { shopId, orderId, attribute, token, from, set = {}, now } = request;
    const numbered = this.items.get(`${shopId}#${orderId}`)?.orderNumber;
    // A number, once given, stays.
    if (set.orderNumber !== undefined && numbered !== undefined && numbered !== set.orderNumber) {
      return { item: this.stored(shopId, orderId), changed: false };
    }
    const changed = this.conditionalSet(
      shopId,
      orderId,
      { ...set, [attribute]: token, updatedAt: now },
      from,
    );
    return { item: this.stored(shopId, orderId), changed };
  }

  async byStatus(
    shopId: string,
    status: OrderStatus,
    options: { newestFirst: boolean; limit: number },
  ): Promise<OrderItem[]> {
    await Promise.resolve();
    const pk = orderStatusKey(shopId, status, '', '').gsi1pk;
    const items = this.all()
      .filter((item) => item.gsi1pk === pk)
      .sort((a, b) => a.gsi1sk.localeCompare(b.gsi1sk));
    if (options.newestFirst) items.reverse();
    return items.slice(0, options.limit);
  }

  async byCustomer(customerId: string, limit: number): Promise<OrderItem[]> {
    await Promise.resolve();
    return this.all()
      .filter((item) => item.gsi2pk === `CUSTOMER#${customerId}`)
      .sort((a, b) => b.gsi2sk.localeCompare(a.gsi2sk))
      .slice(0, limit);
  }
}

// ---------------------------------------------------------------------------------------------
// Bus and workflows
// ---------------------------------------------------------------------------------------------

/** A bus that builds each entry through its schema (as the real one does) and keeps it. */
export class RecordingBus implements Bus {
  readonly emitted: { detailType: DetailType; detail: Record<string, unknown> }[] = [];
  readonly entries: EventEntry[] = [];
  /** Makes the next `emit` throw this (as a refused PutEvents does). */
  failNext: Error | undefined;

  async emit(detailType: DetailType, detail: Record<string, unknown>): Promise<void> {
    await Promise.resolve();
    const failure = this.failNext;
    if (failure) {
      this.failNext = undefined;
      throw failure;
    }
    this.entries.push(buildEventEntry(detailType, detail as never, BUS));
    this.emitted.push({ detailType, detail: structuredClone(detail) });
  }

  types(): DetailType[] {
    return this.emitted.map((e) => e.detailType);
  }
}

/**
 * The OrderManager workflow as the real adapter and its state machine run it: the event entry
 * is built through its schema first, the update is conditional on `change.from`, and the phase
 * is resumed only when the updated order holds that phase's token.
 */
export class RecordingWorkflows implements Workflows {
  readonly applied: { order: OrderItem; change: Change; now: string }[] = [];
  readonly events: EventEntry[] = [];
  /** Every SendTaskSuccess: by the OrderManager (`manager`) or by a processor step (`step`). */
  readonly resumed: { token: string; output: unknown; by: 'manager' | 'step' }[] = [];
  /** Runs after the entry is built and before the conditional update: another writer. */
  beforeApply: (() => void) | undefined;

  constructor(private readonly orders: InMemoryOrders) {}

  async applyChange(order: OrderItem, change: Change, now: string): Promise<ManagerResult> {
    await Promise.resolve();
    this.applied.push(structuredClone({ order, change, now }));
    const entry = buildEventEntry(change.event.detailType, change.event.detail as never, BUS);
    this.beforeApply?.();
    const current = this.orders.stored(order.shopId, order.orderId);
    if (!current || current.status !== change.from) return { ok: false, conflict: true };
    const updated: Record<string, unknown> = {
      ...current,
      ...change.set,
      status: change.to,
      updatedAt: now,
      ...orderStatusKey(
        order.shopId,
        change.to,
        change.set.submittedAt ?? order.submittedAt ?? order.createdAt,
        order.orderId,
      ),
    };
    for (const field of change.remove) delete updated[field];
    const item = StoredOrderSchema.parse(updated);
    this.orders.put(item);
    this.events.push(entry);
    if (change.resume) {
      const token =
        change.resume.phase === 'CUSTOMER' ? item.customerTaskToken : item.baristaTaskToken;
      if (token) this.resumed.push({ token, output: change.resume.output, by: 'manager' });
    }
    return { ok: true, item: structuredClone(item) };
  }

  async resume(token: string, output: unknown): Promise<void> {
    await Promise.resolve();
    this.resumed.push({ token, output: structuredClone(output), by: 'step' });
  }

  /** OrderProcessor executions by ARN, as `journey` reports them. */
  readonly executions = new Map<string, { status: string; steps: JourneyStep[] }>();

  async journey(executionArn: string): Promise<{ status: string; steps: JourneyStep[] }> {
    await Promise.resolve();
    const execution = this.executions.get(executionArn);
    // As Step Functions answers for an unknown execution.
    if (!execution) throw Object.assign(new Error(executionArn), { name: 'ExecutionDoesNotExist' });
    return structuredClone(execution);
  }
}

/** A settable clock. */
export class Clock {
  constructor(public ms: number = Date.parse(NOW)) {}
  set(iso: string | number): void {
    this.ms = typeof iso === 'number' ? iso : Date.parse(iso);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  readonly now = (): Date => new Date(this.ms);
}

/** Every port, in memory, wired together. */
export const fakePorts = (
  options: { shops?: ShopConfig[]; orders?: OrderItem[]; now?: string | number } = {},
) => {
  const shops = new InMemoryShops(...(options.shops ?? [shopConfig()]));
  const qrCodes = new InMemoryQrCodes();
  const orders = new InMemoryOrders(qrCodes, ...(options.orders ?? []));
  const bus = new RecordingBus();
  const workflows = new RecordingWorkflows(orders);
  const clock = new Clock();
  if (options.now !== undefined) clock.set(options.now);
  const ports: Ports = {
    shops,
    qrCodes,
    orders,
    bus,
    workflows,
    tables: { ...TABLES },
    now: clock.now,
  };
  return { ports, shops, qrCodes, orders, bus, workflows, clock };
};

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/** An open shop with a small menu: latte (Milk, Size), espresso (no modifiers), mocha (out). */
export const shopConfig = (overrides: Partial<ShopConfig> = {}): ShopConfig =>
  ShopConfigSchema.parse({
    shopId: SHOP,
    name: 'Corner Cafe',
    open: true,
    menu: [
      {
        drinkId: 'latte',
        name: 'Latte',
        icon: 'latte',
        available: true,
        modifiers: [
          { name: 'Milk', options: ['Regular', 'Oat'] },
          { name: 'Size', options: ['Small', 'Large'] },
        ],
      },
      { drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true },
      { drinkId: 'mocha', name: 'Mocha', icon: 'mocha', available: false },
    ],
    limits: {
      ordersPerCode: 10,
      codeTtlSeconds: 300,
      maxOpenOrders: 20,
      maxOrdersPerCustomerPerDay: 3,
    },
    timeouts: { customerSeconds: 300, baristaSeconds: 900 },
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  });

/** Who calls. Staff belong to shop `cafe` unless named otherwise; `owner` placed the orders. */
export const callers = {
  owner: { sub: 'customer-1', groups: [], shopId: undefined },
  otherCustomer: { sub: 'customer-2', groups: [], shopId: undefined },
  barista: { sub: 'barista-1', groups: ['barista'], shopId: SHOP },
  otherBaristaOfShop: { sub: 'barista-2', groups: ['barista'], shopId: SHOP },
  baristaOfOtherShop: { sub: 'barista-3', groups: ['barista'], shopId: OTHER_SHOP },
  admin: { sub: 'admin-1', groups: ['admin'], shopId: SHOP },
  adminOfEveryShop: { sub: 'admin-2', groups: ['admin'], shopId: '*' },
  adminOfOtherShop: { sub: 'admin-3', groups: ['admin'], shopId: OTHER_SHOP },
  display: { sub: 'display-1', groups: ['display'], shopId: SHOP },
  displayOfOtherShop: { sub: 'display-2', groups: ['display'], shopId: OTHER_SHOP },
} satisfies Record<string, Identity>;
export type Caller = keyof typeof callers;

/**
 * A stored order as it looks in `status`, with the fields that status implies: the drink,
 * `submittedAt` and (unless `numbered` is false) the number once QUEUED; the holding barista
 * (`barista-1`) and `claimedAt` once IN_PROGRESS; the reason and `finishedAt` once ended.
 */
export const orderItem = (
  status: OrderStatus,
  overrides: Partial<OrderItem> & { numbered?: boolean } = {},
): OrderItem => {
  const { numbered = true, ...rest } = overrides;
  const selected = { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Large' }, submittedAt: T1 };
  const claimed = { ...selected, baristaId: callers.barista.sub, claimedAt: T2 };
  const facts: Record<OrderStatus, Partial<OrderItem>> = {
    AWAITING_SELECTION: { customerTaskToken: 'token-customer-phase' },
    QUEUED: selected,
    IN_PROGRESS: claimed,
    COMPLETED: { ...claimed, finishedAt: T3 },
    CANCELLED: { ...selected, reason: 'CANCELLED_BY_CUSTOMER', finishedAt: T3 },
    TIMED_OUT: { reason: 'CUSTOMER_TIMEOUT', finishedAt: T3 },
    REJECTED: { reason: 'CLOSED', finishedAt: T0 },
  };
  const hasNumber = numbered && 'submittedAt' in facts[status];
  const fields = {
    orderId: 'order-1',
    shopId: SHOP,
    status,
    customerId: callers.owner.sub,
    createdAt: T0,
    updatedAt: T0,
    ...facts[status],
    ...(hasNumber ? { orderNumber: 7 } : {}),
    ...rest,
  };
  return StoredOrderSchema.parse({ ...fields, ...orderItemKeys(fields) });
};

/** The error `promise` rejects with; throws if it resolves. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
};
