/*
 * The orders store's contract: one set of cases that both the in-memory fake (`fakes.ts`) and
 * the real adapters on DynamoDB Local must pass (`ordersStore.fake.test.ts`,
 * `test/ordersStore.dynamodb.test.ts`). A case the two answer differently is a bug in the fake.
 * Every case works in a shop and with a customer of its own, so a shared table is fine.
 */
import { randomUUID } from 'node:crypto';
import type { OrderItem, OrderStatus } from '@espresso/schemas';
import { expect } from 'chai';
import { OPEN_ORDERS, type OrdersTable } from '../adapters/orders';
import type { QrCodes } from '../adapters/qrCodes';
import { NOW, orderItem, T0, T1, T2, T3 } from './fakes';

/** What a case needs: the ports under test, and a way to seed and read what they store. */
export interface OrdersStore {
  orders: OrdersTable;
  qrCodes: QrCodes;
  tables: { qrCodes: string; counters: string };
  /** Writes an order unconditionally, as another writer would. */
  putOrder(order: OrderItem): Promise<void>;
  /** A counters-table item's value and ttl; undefined when it does not exist. */
  counter(shopId: string, counter: string): Promise<{ value: number; ttl?: number } | undefined>;
  setCounter(shopId: string, counter: string, value: number): Promise<void>;
}

const ME = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:me';
const OTHER = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:other';
const CODE = 'Code123456';
const BUCKET = 100;

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A case's own shop and customer, and order fixtures in them. */
const scope = () => {
  const shopId = unique('shop');
  const customerId = unique('customer');
  const order = (
    status: OrderStatus,
    overrides: Partial<OrderItem> & { numbered?: boolean } = {},
  ): OrderItem => orderItem(status, { shopId, customerId, ...overrides });
  const fresh = (orderId: string) => {
    const { customerTaskToken: _token, ...rest } = order('AWAITING_SELECTION', { orderId });
    return rest as OrderItem;
  };
  return { shopId, customerId, order, fresh };
};

export const ordersStoreContract = (name: string, storeOf: () => OrdersStore): void => {
  describe(`orders store contract (${name})`, () => {
    let store: OrdersStore;
    beforeEach(() => {
      store = storeOf();
    });

    const groups = [
      ['place (one transaction)', placeCases],
      ['claim and admit', admitCases],
      ['end', endCases],
      ['storeChoice and keepToken', tokenCases],
      ['nextNumber, byStatus, byCustomer', readCases],
    ] as const;
    for (const [group, cases] of groups)
      describe(
        group,
        cases(() => store),
      );
  });
};

const placeCases = (storeOf: () => OrdersStore) => () => {
  const setUp = async (remaining: number) => {
    const store = storeOf();
    const s = scope();
    await store.qrCodes.createOrGet({
      shopId: s.shopId,
      bucket: BUCKET,
      code: CODE,
      remaining,
      expiresAt: NOW,
      ttl: 1,
    });
    const counter = `CUSTOMER#${s.customerId}#DAY#2026-11-24`;
    const request = (
      orderId: string,
      options: { code?: string; bucket?: number; limit?: number } = {},
    ) => ({
      order: s.fresh(orderId),
      qr: {
        table: store.tables.qrCodes,
        bucket: options.bucket ?? BUCKET,
        code: options.code ?? CODE,
      },
      daily: { table: store.tables.counters, counter, limit: options.limit ?? 3, ttl: 9 },
    });
    const remainingNow = async () => (await store.qrCodes.get(s.shopId, BUCKET))?.remaining;
    return { store, s, counter, request, remainingNow };
  };

  it('stores the order, takes one from the code and one from the daily allowance', async () => {
    const { store, s, counter, request, remainingNow } = await setUp(5);

    expect(await store.orders.place(request('o-1'))).to.equal(undefined);

    expect(await store.orders.get(s.shopId, 'o-1')).to.deep.equal(s.fresh('o-1'));
    expect(await remainingNow()).to.equal(4);
    expect(await store.counter(s.shopId, counter)).to.deep.equal({ value: 1, ttl: 9 });
  });

  it('fails CODE_USED_UP for a wrong code, an unknown bucket or none remaining, writing nothing', async () => {
    const { store, s, counter, request, remainingNow } = await setUp(1);

    expect(await store.orders.place(request('o-1', { code: 'Wrong12345' }))).to.equal(
      'CODE_USED_UP',
    );
    expect(await store.orders.place(request('o-1', { bucket: 99 }))).to.equal('CODE_USED_UP');
    expect(await store.orders.get(s.shopId, 'o-1')).to.equal(undefined);
    expect(await store.counter(s.shopId, counter)).to.equal(undefined);

    expect(await store.orders.place(request('o-1'))).to.equal(undefined);
    expect(await store.orders.place(request('o-2'))).to.equal('CODE_USED_UP');
    expect(await remainingNow()).to.equal(0);
    expect(await store.counter(s.shopId, counter)).to.deep.equal({ value: 1, ttl: 9 });
    expect(await store.orders.get(s.shopId, 'o-2')).to.equal(undefined);
  });

  it('fails DAILY_LIMIT at the limit without touching the code’s count', async () => {
    const { store, s, request, remainingNow } = await setUp(5);
    expect(await store.orders.place(request('o-1', { limit: 1 }))).to.equal(undefined);

    expect(await store.orders.place(request('o-2', { limit: 1 }))).to.equal('DAILY_LIMIT');
    expect(await remainingNow()).to.equal(4);
    expect(await store.orders.get(s.shopId, 'o-2')).to.equal(undefined);
  });

  it('fails DUPLICATE for an order id already stored, before any other refusal', async () => {
    const { store, request, remainingNow } = await setUp(1);
    expect(await store.orders.place(request('o-1'))).to.equal(undefined);

    // The code has none left and the allowance would allow it: the order's existence is told.
    expect(await store.orders.place(request('o-1'))).to.equal('DUPLICATE');
    expect(await store.orders.place(request('o-1', { limit: 1 }))).to.equal('DUPLICATE');
    expect(await remainingNow()).to.equal(0);
  });
};

const admitCases = (storeOf: () => OrdersStore) => () => {
  it('claims an order for one execution only, and not one that does not exist', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('AWAITING_SELECTION'));
    const claim = (executionArn: string, orderId = 'order-1') =>
      store.orders.claim({ shopId: s.shopId, orderId, executionArn });

    expect(await claim(ME)).to.equal(true);
    expect(await claim(ME)).to.equal(true);
    expect(await claim(OTHER)).to.equal(false);
    expect(await claim(ME, 'nope')).to.equal(false);
    expect((await store.orders.get(s.shopId, 'order-1'))?.executionArn).to.equal(ME);
  });

  it('admits up to the limit, once per order, and records the slot on the order', async () => {
    const store = storeOf();
    const s = scope();
    for (const orderId of ['order-1', 'order-2', 'order-3']) {
      await store.putOrder(s.order('AWAITING_SELECTION', { orderId }));
    }
    const admit = (orderId: string, executionArn = ME) =>
      store.orders.admit({
        shopId: s.shopId,
        orderId,
        executionArn,
        slots: { table: store.tables.counters, max: 1 },
      });

    expect(await admit('order-1')).to.equal('ADMITTED');
    expect(await admit('order-1'), 'a retried admission').to.equal('ADMITTED');
    expect(await admit('order-1', OTHER)).to.equal('DUPLICATE');
    expect(await admit('order-2', OTHER)).to.equal('AT_CAPACITY');
    expect(await admit('order-2', ME), 'carried by another execution').to.equal('DUPLICATE');
    expect(await admit('nope')).to.equal('DUPLICATE');

    expect((await store.counter(s.shopId, OPEN_ORDERS))?.value).to.equal(1);
    expect(await store.orders.get(s.shopId, 'order-1')).to.include({
      executionArn: ME,
      slot: 'HELD',
    });
    const atCapacity = await store.orders.get(s.shopId, 'order-2');
    expect(atCapacity).to.include({ executionArn: OTHER });
    expect(atCapacity).not.to.have.property('slot');
    expect(await store.orders.get(s.shopId, 'order-3')).not.to.have.property('executionArn');
  });

  it('admits an order whose slot was given back without taking another', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('COMPLETED', { executionArn: ME, slot: 'RELEASED' }));

    const admitted = await store.orders.admit({
      shopId: s.shopId,
      orderId: 'order-1',
      executionArn: ME,
      slots: { table: store.tables.counters, max: 5 },
    });

    expect(admitted).to.equal('ADMITTED');
    expect(await store.counter(s.shopId, OPEN_ORDERS)).to.equal(undefined);
  });
};

const endCases = (storeOf: () => OrdersStore) => () => {
  const ending = (from: OrderStatus[], unlessChosen?: boolean) => ({
    to: 'TIMED_OUT' as const,
    from,
    set: { reason: 'CUSTOMER_TIMEOUT' as const, finishedAt: NOW },
    ...(unlessChosen === undefined ? {} : { unlessChosen }),
  });

  it('ends an order only from the given statuses, moving its status key', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('QUEUED'));
    const request = { shopId: s.shopId, orderId: 'order-1' };

    const refused = await store.orders.end({ ...request, status: ending(['AWAITING_SELECTION']) });
    const ended = await store.orders.end({ ...request, status: ending(['QUEUED', 'IN_PROGRESS']) });
    const missing = await store.orders.end({
      ...request,
      orderId: 'nope',
      status: ending(['QUEUED']),
    });

    expect(refused).to.deep.include({ changed: false, released: false });
    expect(refused.item?.status).to.equal('QUEUED');
    expect(ended).to.deep.include({ changed: true, released: false });
    expect(ended.item).to.include({
      status: 'TIMED_OUT',
      reason: 'CUSTOMER_TIMEOUT',
      finishedAt: NOW,
      gsi1pk: `SHOP#${s.shopId}#STATUS#TIMED_OUT`,
      gsi1sk: `${T1}#order-1`,
    });
    expect(missing).to.deep.equal({ item: undefined, changed: false, released: false });
    const queued = await store.orders.byStatus(s.shopId, 'QUEUED', {
      newestFirst: false,
      limit: 5,
    });
    const timedOut = await store.orders.byStatus(s.shopId, 'TIMED_OUT', {
      newestFirst: false,
      limit: 5,
    });
    expect(queued).to.deep.equal([]);
    expect(timedOut.map((o) => o.orderId)).to.deep.equal(['order-1']);
  });

  it('gives back a held slot once, with or without an ending, never below zero', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('COMPLETED', { slot: 'HELD', executionArn: ME }));
    await store.putOrder(s.order('QUEUED', { orderId: 'order-2', slot: 'HELD', executionArn: ME }));
    await store.setCounter(s.shopId, OPEN_ORDERS, 1);
    const slot = { table: store.tables.counters };
    const request = { shopId: s.shopId, orderId: 'order-1', slot };

    const foreign = await store.orders.end({ ...request, executionArn: OTHER });
    const first = await store.orders.end({ ...request, executionArn: ME });
    const again = await store.orders.end({ ...request, executionArn: ME });
    expect(foreign).to.deep.include({ changed: false, released: false });
    expect(first).to.deep.include({ changed: false, released: true });
    expect(first.item).to.include({ status: 'COMPLETED', slot: 'RELEASED' });
    expect(again).to.deep.include({ changed: false, released: false });
    expect((await store.counter(s.shopId, OPEN_ORDERS))?.value).to.equal(0);

    // The counter is already at zero: the slot is given back on the order alone.
    const second = await store.orders.end({
      shopId: s.shopId,
      orderId: 'order-2',
      slot,
      status: ending(['QUEUED']),
    });
    expect(second).to.deep.include({ changed: true, released: true });
    expect(second.item).to.include({ status: 'TIMED_OUT', slot: 'RELEASED' });
    expect((await store.counter(s.shopId, OPEN_ORDERS))?.value).to.equal(0);
  });

  it('leaves an order with a kept choice (and its slot) to go on when asked `unlessChosen`', async () => {
    const store = storeOf();
    const s = scope();
    const chosen = {
      ...s.fresh('order-1'),
      drinkId: 'latte',
      modifiers: { Milk: 'Oat' },
      slot: 'HELD' as const,
    };
    await store.putOrder(chosen);
    await store.putOrder({ ...s.fresh('order-2'), slot: 'HELD' });
    await store.setCounter(s.shopId, OPEN_ORDERS, 2);
    const end = (orderId: string) =>
      store.orders.end({
        shopId: s.shopId,
        orderId,
        slot: { table: store.tables.counters },
        status: ending(['AWAITING_SELECTION'], true),
      });

    const kept = await end('order-1');
    const timedOut = await end('order-2');

    expect(kept).to.deep.include({ changed: false, released: false });
    expect(kept.item).to.include({ status: 'AWAITING_SELECTION', slot: 'HELD' });
    expect(timedOut).to.deep.include({ changed: true, released: true });
    expect(timedOut.item).to.include({ status: 'TIMED_OUT', slot: 'RELEASED' });
    expect((await store.counter(s.shopId, OPEN_ORDERS))?.value).to.equal(1);
  });

  it('records the ending execution on the order it ends', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('IN_PROGRESS'));

    const { changed, item } = await store.orders.end({
      shopId: s.shopId,
      orderId: 'order-1',
      executionArn: ME,
      status: { to: 'COMPLETED', from: ['IN_PROGRESS'], set: { finishedAt: T3 } },
    });

    expect(changed).to.equal(true);
    expect(item).to.include({ status: 'COMPLETED', executionArn: ME, finishedAt: T3 });
  });
};

const tokenCases = (storeOf: () => OrdersStore) => () => {
  const choice = { drinkId: 'latte', modifiers: { Milk: 'Oat' }, updatedAt: T2 };

  it('keeps a choice only on an order awaiting selection whose workflow keeps no token yet', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.fresh('order-1'));
    await store.putOrder(s.order('AWAITING_SELECTION', { orderId: 'order-2' }));
    await store.putOrder(s.order('QUEUED', { orderId: 'order-3' }));
    const keep = (orderId: string) =>
      store.orders.storeChoice({ shopId: s.shopId, orderId, set: choice });

    expect(await keep('order-1')).to.equal(true);
    expect(await keep('order-2'), 'a token is kept').to.equal(false);
    expect(await keep('order-3'), 'moved on').to.equal(false);
    expect(await keep('nope')).to.equal(false);
    expect(await store.orders.get(s.shopId, 'order-1')).to.deep.include({
      status: 'AWAITING_SELECTION',
      ...choice,
    });
    expect(await store.orders.get(s.shopId, 'order-2')).not.to.have.property('drinkId');
  });

  it('keeps a token only while the order is in one of the given statuses', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('QUEUED', { numbered: false }));
    const keep = (attribute: 'customerTaskToken' | 'baristaTaskToken', from: OrderStatus[]) =>
      store.orders.keepToken({
        shopId: s.shopId,
        orderId: 'order-1',
        attribute,
        token: 't',
        from,
        set: { orderNumber: 9 },
        now: NOW,
      });

    const refused = await keep('customerTaskToken', ['AWAITING_SELECTION']);
    const kept = await keep('baristaTaskToken', ['QUEUED']);

    expect(refused.changed).to.equal(false);
    expect(refused.item).not.to.have.property('customerTaskToken');
    expect(refused.item).not.to.have.property('orderNumber');
    expect(kept.changed).to.equal(true);
    expect(kept.item).to.include({ baristaTaskToken: 't', orderNumber: 9, updatedAt: NOW });
  });

  it('never replaces an order number once given, nor keeps a token on a missing order', async () => {
    const store = storeOf();
    const s = scope();
    await store.putOrder(s.order('QUEUED'));
    const keep = (orderNumber: number, orderId = 'order-1') =>
      store.orders.keepToken({
        shopId: s.shopId,
        orderId,
        attribute: 'baristaTaskToken',
        token: `t${orderNumber}`,
        from: ['QUEUED'],
        set: { orderNumber },
        now: NOW,
      });

    const other = await keep(9);
    const same = await keep(7);
    const missing = await keep(7, 'nope');

    expect(other.changed).to.equal(false);
    expect(other.item).to.include({ orderNumber: 7 });
    expect(other.item).not.to.have.property('baristaTaskToken');
    expect(same.changed).to.equal(true);
    expect(same.item).to.include({ baristaTaskToken: 't7', orderNumber: 7 });
    expect(missing).to.deep.equal({ item: undefined, changed: false });
  });
};

const readCases = (storeOf: () => OrdersStore) => () => {
  it('numbers each shop’s orders 1, 2, 3 … on its own', async () => {
    const store = storeOf();
    const [a, b] = [scope().shopId, scope().shopId] as [string, string];
    const next = (shopId: string) =>
      store.orders.nextNumber({ shopId, table: store.tables.counters });

    expect([await next(a), await next(a), await next(b), await next(a)]).to.deep.equal([
      1, 2, 1, 3,
    ]);
  });

  it('lists a shop’s orders in one status, oldest placed first or newest first, up to a limit', async () => {
    const store = storeOf();
    const s = scope();
    const placed = ['2026-11-24T08:02:00.000Z', T1, '2026-11-24T08:04:00.000Z'];
    for (const [i, submittedAt] of placed.entries()) {
      await store.putOrder(s.order('QUEUED', { orderId: `q-${i}`, submittedAt }));
    }
    await store.putOrder(s.order('IN_PROGRESS', { orderId: 'busy' }));
    await store.putOrder(scope().order('QUEUED', { orderId: 'elsewhere' }));
    const ids = async (newestFirst: boolean, limit: number) =>
      (await store.orders.byStatus(s.shopId, 'QUEUED', { newestFirst, limit })).map(
        (o) => o.orderId,
      );

    expect(await ids(false, 10)).to.deep.equal(['q-1', 'q-0', 'q-2']);
    expect(await ids(true, 2)).to.deep.equal(['q-2', 'q-0']);
  });

  it('lists a customer’s orders across shops, newest first, up to a limit', async () => {
    const store = storeOf();
    const s = scope();
    const otherShop = scope().shopId;
    const created = [T0, '2026-11-24T07:00:00.000Z', T2];
    for (const [i, createdAt] of created.entries()) {
      await store.putOrder(
        s.order('AWAITING_SELECTION', {
          orderId: `c-${i}`,
          createdAt,
          updatedAt: createdAt,
          ...(i === 2 ? { shopId: otherShop } : {}),
        }),
      );
    }
    await store.putOrder(scope().order('QUEUED'));

    const all = await store.orders.byCustomer(s.customerId, 10);
    const two = await store.orders.byCustomer(s.customerId, 2);

    expect(all.map((o) => o.orderId)).to.deep.equal(['c-2', 'c-0', 'c-1']);
    expect(two.map((o) => o.orderId)).to.deep.equal(['c-2', 'c-0']);
    expect(all[0]?.shopId).to.equal(otherShop);
  });
};
