/*
 * Holds the in-memory ports to the contracts of the real adapters (src/adapters/*.ts), so the
 * use-case tests that rely on them test what production does.
 */
import { ORDER_STATUSES, OrderItemSchema, type OrderStatus } from '@espresso/schemas';
import { expect } from 'chai';
import { orderItemKeys } from '../adapters/orderKeys';
import { planChange } from '../domain/transitions';
import {
  BUS,
  callers,
  fakePorts,
  NOW,
  orderItem,
  rejectionOf,
  SHOP,
  shopConfig,
  T0,
  TABLES,
} from './fakes';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:one';
const OTHER_ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:two';

const qrBucket = { shopId: SHOP, bucket: 100, code: 'Code123456', expiresAt: NOW, ttl: 1 };

const newOrder = (orderId: string, customerId: string = callers.owner.sub) => {
  const fields = {
    orderId,
    shopId: SHOP,
    status: 'AWAITING_SELECTION' as const,
    customerId,
    createdAt: T0,
    updatedAt: T0,
  };
  return OrderItemSchema.parse({ ...fields, ...orderItemKeys(fields) });
};

const placeRequest = (orderId: string, code = qrBucket.code, limit = 3) => ({
  order: newOrder(orderId),
  qr: { table: TABLES.qrCodes, bucket: qrBucket.bucket, code },
  daily: { table: TABLES.counters, counter: 'CUSTOMER#customer-1#DAY#2026-11-24', limit, ttl: 9 },
});

describe('fake ports (held to the real adapters’ contracts)', () => {
  describe('fixtures', () => {
    ORDER_STATUSES.forEach((status) => {
      it(`builds a valid ${status} order, numbered or not`, () => {
        expect(() => OrderItemSchema.parse(orderItem(status))).not.to.throw();
        expect(() => OrderItemSchema.parse(orderItem(status, { numbered: false }))).not.to.throw();
      });
    });

    it('builds a valid, open shop', () => {
      expect(shopConfig()).to.include({ shopId: SHOP, open: true });
    });
  });

  describe('QrCodes', () => {
    it('creates a bucket once and hands every later caller the stored one', async () => {
      const { qrCodes } = fakePorts();

      const first = await qrCodes.createOrGet({ ...qrBucket, remaining: 5 });
      const second = await qrCodes.createOrGet({ ...qrBucket, code: 'Other12345', remaining: 9 });

      expect(second).to.deep.equal(first);
      expect(qrCodes.created).to.equal(1);
      expect(await qrCodes.get(SHOP, 100)).to.deep.equal(first);
      expect(await qrCodes.get(SHOP, 101)).to.equal(undefined);
    });
  });

  describe('OrdersTable.place (one transaction)', () => {
    it('fails CODE_USED_UP for a code the bucket does not hold, writing nothing', async () => {
      const { orders, qrCodes } = fakePorts();
      qrCodes.put({ ...qrBucket, remaining: 5 });

      expect(await orders.place(placeRequest('o-1', 'Wrong12345'))).to.equal('CODE_USED_UP');
      expect(
        await orders.place({
          ...placeRequest('o-1'),
          qr: { ...placeRequest('o-1').qr, bucket: 99 },
        }),
      ).to.equal('CODE_USED_UP');
      expect(orders.all()).to.deep.equal([]);
      expect(qrCodes.stored(SHOP, 100)?.remaining).to.equal(5);
    });

    it('fails CODE_USED_UP at zero remaining without touching the daily count', async () => {
      const { orders, qrCodes } = fakePorts();
      qrCodes.put({ ...qrBucket, remaining: 1 });
      expect(await orders.place(placeRequest('o-1'))).to.equal(undefined);

      expect(await orders.place(placeRequest('o-2'))).to.equal('CODE_USED_UP');
      expect(orders.counter(SHOP, 'CUSTOMER#customer-1#DAY#2026-11-24')).to.deep.equal({
        value: 1,
        ttl: 9,
      });
      expect(orders.all().map((o) => o.orderId)).to.deep.equal(['o-1']);
    });

    it('fails DAILY_LIMIT at the limit without touching the code’s count', async () => {
      const { orders, qrCodes } = fakePorts();
      qrCodes.put({ ...qrBucket, remaining: 5 });
      expect(await orders.place(placeRequest('o-1', qrBucket.code, 1))).to.equal(undefined);

      expect(await orders.place(placeRequest('o-2', qrBucket.code, 1))).to.equal('DAILY_LIMIT');
      expect(qrCodes.stored(SHOP, 100)?.remaining).to.equal(4);
    });

    it('fails DUPLICATE for an order id already stored, and can be told to fail once', async () => {
      const { orders, qrCodes } = fakePorts();
      qrCodes.put({ ...qrBucket, remaining: 5 });
      await orders.place(placeRequest('o-1'));

      expect(await orders.place(placeRequest('o-1'))).to.equal('DUPLICATE');
      orders.failNextPlace = 'DAILY_LIMIT';
      expect(await orders.place(placeRequest('o-2'))).to.equal('DAILY_LIMIT');
      expect(await orders.place(placeRequest('o-2'))).to.equal(undefined);
      expect(qrCodes.stored(SHOP, 100)?.remaining).to.equal(3);
    });
  });

  describe('OrdersTable conditional writes', () => {
    it('keeps a token only while the order is in one of the given statuses', async () => {
      const { orders } = fakePorts({ orders: [orderItem('QUEUED', { numbered: false })] });

      const refused = await orders.keepToken({
        shopId: SHOP,
        orderId: 'order-1',
        attribute: 'customerTaskToken',
        token: 't',
        from: ['AWAITING_SELECTION'],
        now: NOW,
      });
      const kept = await orders.keepToken({
        shopId: SHOP,
        orderId: 'order-1',
        attribute: 'baristaTaskToken',
        token: 't',
        from: ['QUEUED'],
        set: { orderNumber: 9 },
        now: NOW,
      });

      expect(refused.changed).to.equal(false);
      expect(refused.item).not.to.have.property('customerTaskToken');
      expect(kept.changed).to.equal(true);
      expect(kept.item).to.include({ baristaTaskToken: 't', orderNumber: 9, updatedAt: NOW });
    });

    it('never replaces an order number once given', async () => {
      const { orders } = fakePorts({ orders: [orderItem('QUEUED')] });
      const keep = (orderNumber: number) =>
        orders.keepToken({
          shopId: SHOP,
          orderId: 'order-1',
          attribute: 'baristaTaskToken',
          token: `t${orderNumber}`,
          from: ['QUEUED'],
          set: { orderNumber },
          now: NOW,
        });

      const other = await keep(9);
      const same = await keep(7);

      expect(other.changed).to.equal(false);
      expect(same.changed).to.equal(true);
      expect(same.item).to.include({ baristaTaskToken: 't7', orderNumber: 7 });
    });

    it('ends an order only from the given statuses, moving its status key', async () => {
      const { orders } = fakePorts({ orders: [orderItem('QUEUED')] });
      const ending = (from: OrderStatus[]) => ({
        to: 'TIMED_OUT' as const,
        from,
        set: { reason: 'BARISTA_TIMEOUT' as const, finishedAt: NOW },
      });
      const request = { shopId: SHOP, orderId: 'order-1' };

      const refused = await orders.end({ ...request, status: ending(['AWAITING_SELECTION']) });
      const ended = await orders.end({ ...request, status: ending(['QUEUED', 'IN_PROGRESS']) });
      const missing = await orders.end({
        ...request,
        orderId: 'nope',
        status: ending(['QUEUED']),
      });

      expect(refused).to.deep.include({ changed: false });
      expect(refused.item?.status).to.equal('QUEUED');
      expect(ended.changed).to.equal(true);
      expect(ended.item).to.include({
        status: 'TIMED_OUT',
        gsi1pk: `SHOP#${SHOP}#STATUS#TIMED_OUT`,
      });
      expect(missing).to.deep.equal({ item: undefined, changed: false, released: false });
    });

    it('claims an order for one execution only, and not one that does not exist', async () => {
      const { orders } = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });
      const request = { shopId: SHOP, orderId: 'order-1' };

      expect(await orders.claim({ ...request, executionArn: ARN })).to.equal(true);
      expect(await orders.claim({ ...request, executionArn: ARN })).to.equal(true);
      expect(await orders.claim({ ...request, executionArn: OTHER_ARN })).to.equal(false);
      expect(await orders.claim({ ...request, orderId: 'nope', executionArn: ARN })).to.equal(
        false,
      );
      expect(orders.stored(SHOP, 'order-1')?.executionArn).to.equal(ARN);
    });

    it('admits up to the limit, once per order, and records the slot on the order', async () => {
      const { orders } = fakePorts({
        orders: ['order-1', 'order-2'].map((orderId) =>
          orderItem('AWAITING_SELECTION', { orderId }),
        ),
      });
      const admit = (orderId: string, executionArn = ARN) =>
        orders.admit({
          shopId: SHOP,
          orderId,
          executionArn,
          slots: { table: TABLES.counters, max: 1 },
        });

      expect(await admit('order-1')).to.equal('ADMITTED');
      expect(await admit('order-1'), 'a retried admission').to.equal('ADMITTED');
      expect(await admit('order-1', OTHER_ARN)).to.equal('DUPLICATE');
      expect(await admit('order-2', OTHER_ARN)).to.equal('AT_CAPACITY');
      expect(await admit('nope')).to.equal('DUPLICATE');

      expect(orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
      expect(orders.stored(SHOP, 'order-1')).to.include({ executionArn: ARN, slot: 'HELD' });
      expect(orders.stored(SHOP, 'order-2')).to.include({ executionArn: OTHER_ARN });
      expect(orders.stored(SHOP, 'order-2')).not.to.have.property('slot');
    });

    it('gives back a held slot once, with or without an ending, never below zero', async () => {
      const { orders } = fakePorts({
        orders: [orderItem('COMPLETED', { slot: 'HELD', executionArn: ARN })],
      });
      orders.setCounter(SHOP, 'OPEN_ORDERS', 2);
      const request = { shopId: SHOP, orderId: 'order-1', slot: { table: TABLES.counters } };

      const foreign = await orders.end({ ...request, executionArn: OTHER_ARN });
      const first = await orders.end({ ...request, executionArn: ARN });
      const again = await orders.end({ ...request, executionArn: ARN });

      expect(foreign).to.deep.include({ changed: false, released: false });
      expect(first).to.deep.include({ changed: false, released: true });
      expect(first.item).to.include({ status: 'COMPLETED', slot: 'RELEASED' });
      expect(again).to.deep.include({ changed: false, released: false });
      expect(orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
    });

    it('numbers a shop’s orders 1, 2, 3 …', async () => {
      const { orders } = fakePorts();
      const next = () => orders.nextNumber({ shopId: SHOP, table: TABLES.counters });

      expect([await next(), await next(), await next()]).to.deep.equal([1, 2, 3]);
    });

    it('refuses to store an order that breaks the item schema', () => {
      const { orders } = fakePorts();

      expect(() => orders.put({ ...orderItem('QUEUED'), status: 'IN_PROGRESS' })).to.throw();
    });
  });

  describe('Bus', () => {
    it('builds each entry through its schema and refuses a detail with a field the contract does not name', async () => {
      const { bus } = fakePorts();
      const detail = {
        version: 1,
        shopId: SHOP,
        orderId: 'order-1',
        customerId: 'customer-1',
        at: NOW,
        timeoutSeconds: 60,
      };

      await bus.emit('OrderProcessor.WorkflowStarted', detail);
      const error = await rejectionOf(
        bus.emit('OrderProcessor.WorkflowStarted', { ...detail, taskToken: 'secret' }),
      );

      expect(bus.entries).to.have.length(1);
      expect(bus.entries[0]).to.include({ EventBusName: BUS, Source: 'espresso.orders' });
      expect((error as Error).name).to.equal('ZodError');
    });
  });

  describe('Workflows (the OrderManager)', () => {
    it('applies a change only while the order is in its `from` status', async () => {
      const { orders, workflows } = fakePorts({ orders: [orderItem('QUEUED')] });
      const order = orderItem('QUEUED');
      const claim = planChange(order, 'claim', callers.barista, NOW);

      const first = await workflows.applyChange(order, claim, NOW);
      const second = await workflows.applyChange(order, claim, NOW);

      expect(first.ok).to.equal(true);
      expect(second).to.deep.equal({ ok: false, conflict: true });
      expect(orders.stored(SHOP, 'order-1')).to.include({
        status: 'IN_PROGRESS',
        gsi1pk: `SHOP#${SHOP}#STATUS#IN_PROGRESS`,
      });
      expect(workflows.events).to.have.length(1);
    });

    it('resumes a phase only when the updated order holds that phase’s token', async () => {
      const withToken = orderItem('IN_PROGRESS', { baristaTaskToken: 'b' });
      const { workflows } = fakePorts({ orders: [withToken] });

      await workflows.applyChange(
        withToken,
        planChange(withToken, 'complete', callers.barista, NOW),
        NOW,
      );

      expect(workflows.resumed).to.deep.equal([
        { token: 'b', output: { outcome: 'COMPLETED' }, by: 'manager' },
      ]);

      const noToken = orderItem('AWAITING_SELECTION', { customerTaskToken: undefined });
      const other = fakePorts({ orders: [noToken] });
      await other.workflows.applyChange(
        noToken,
        planChange(noToken, 'cancel', callers.owner, NOW),
        NOW,
      );
      expect(other.workflows.resumed).to.deep.equal([]);
    });
  });
});
