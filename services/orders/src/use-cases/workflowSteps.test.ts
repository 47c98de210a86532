import { logger } from '@espresso/runtime';
import {
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  type OrderItem,
  type OrderReason,
  type OrderStatus,
  type ShopConfig,
} from '@espresso/schemas';
import { expect } from 'chai';
import sinon from 'sinon';
import {
  callers,
  fakePorts,
  NOW,
  orderItem,
  rejectionOf,
  SHOP,
  shopConfig,
  T3,
} from '../testing/fakes';
import { admitOrder, awaitBarista, awaitCustomer, type Ending, endOrder } from './workflowSteps';

const TOKEN = 'processor-task-token';

type World = ReturnType<typeof fakePorts>;

/** Every event the step emitted, each parsed with its detail-type's schema. */
const parsedEvents = (w: World) =>
  w.bus.emitted.map(({ detailType, detail }) => ({
    detailType,
    detail: EVENT_DETAIL_SCHEMAS[detailType].parse(detail) as Record<string, unknown>,
  }));

const orderBase = {
  version: 1,
  shopId: SHOP,
  orderId: 'order-1',
  customerId: callers.owner.sub,
  at: NOW,
};

describe('workflow steps', () => {
  const sandbox = sinon.createSandbox();

  beforeEach(() => {
    // keep the spec reporter's output readable
    sandbox.stub(logger, 'info');
    sandbox.stub(logger, 'warn');
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('admitOrder', () => {
    const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:first';
    const OTHER_ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:again';
    const input = { shopId: SHOP, orderId: 'order-1', executionArn: ARN };
    const timeouts = { customerSeconds: 300, baristaSeconds: 900 };

    it('takes the order and a slot for this execution, and answers the shop’s timeouts', async () => {
      const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });

      const result = await admitOrder(w.ports, input);

      expect(result).to.deep.equal({ outcome: 'ADMITTED', timeouts });
      expect(w.orders.stored(SHOP, 'order-1')).to.include({ executionArn: ARN, slot: 'HELD' });
      expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
    });

    it('takes no second slot when the step runs again for the same execution', async () => {
      const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });
      await admitOrder(w.ports, input);

      const again = await admitOrder(w.ports, input);

      expect(again.outcome).to.equal('ADMITTED');
      expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
    });

    (
      [
        {
          name: 'turns the order away from a closed shop: CLOSED, no slot taken',
          input: { shop: shopConfig({ open: false }), open: undefined },
          expected: { outcome: 'CLOSED', timeouts, open: undefined },
        },
        {
          name: 'turns the order away from a shop that does not exist: CLOSED',
          input: { shop: undefined, open: undefined },
          expected: { outcome: 'CLOSED', timeouts: null, open: undefined },
        },
        {
          name: 'turns the order away from a full shop: AT_CAPACITY, the count unchanged',
          input: { shop: shopConfig(), open: 20 },
          expected: { outcome: 'AT_CAPACITY', timeouts, open: 20 },
        },
      ] satisfies {
        name: string;
        input: { shop: ShopConfig | undefined; open: number | undefined };
        expected: { outcome: string; timeouts: unknown; open: number | undefined };
      }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const w = fakePorts({
          shops: c.input.shop ? [c.input.shop] : [],
          orders: [orderItem('AWAITING_SELECTION')],
        });
        if (c.input.open !== undefined) w.orders.setCounter(SHOP, 'OPEN_ORDERS', c.input.open);

        const result = await admitOrder(w.ports, input);

        expect(result).to.deep.equal({
          outcome: c.expected.outcome,
          timeouts: c.expected.timeouts,
        });
        const stored = w.orders.stored(SHOP, 'order-1');
        // Taken for this execution (its journey, and a repeated start ends as a duplicate) …
        expect(stored?.executionArn).to.equal(ARN);
        // … but holding no slot.
        expect(stored).not.to.have.property('slot');
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(c.expected.open);
      });
    });

    [true, false].forEach((open) => {
      it(`ends a repeated start as DUPLICATE, touching nothing (shop ${open ? 'open' : 'closed'})`, async () => {
        const carried = orderItem('AWAITING_SELECTION', { executionArn: ARN, slot: 'HELD' });
        const w = fakePorts({ shops: [shopConfig({ open })], orders: [carried] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 1);

        const result = await admitOrder(w.ports, { ...input, executionArn: OTHER_ARN });

        expect(result.outcome).to.equal('DUPLICATE');
        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(carried);
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
      });
    });

    it('answers DUPLICATE for an order that does not exist', async () => {
      const w = fakePorts();

      expect((await admitOrder(w.ports, input)).outcome).to.equal('DUPLICATE');
      expect(w.orders.counter(SHOP, 'OPEN_ORDERS')).to.equal(undefined);
    });
  });

  describe('awaitCustomer', () => {
    const input = { taskToken: TOKEN, shopId: SHOP, orderId: 'order-1', timeoutSeconds: 120 };

    it('keeps the token on an order awaiting selection and emits WorkflowStarted', async () => {
      const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });

      await awaitCustomer(w.ports, input);

      expect(w.orders.stored(SHOP, 'order-1')).to.include({
        status: 'AWAITING_SELECTION',
        customerTaskToken: TOKEN,
        updatedAt: NOW,
      });
      expect(parsedEvents(w)).to.deep.equal([
        {
          detailType: 'OrderProcessor.WorkflowStarted',
          detail: { ...orderBase, timeoutSeconds: 120 },
        },
      ]);
      expect(JSON.stringify(w.bus.entries)).not.to.include(TOKEN);
      expect(w.workflows.resumed).to.deep.equal([]);
    });

    (
      [
        {
          name: 'resumes with SELECTED when the customer already chose',
          input: 'QUEUED',
          expected: 'SELECTED',
        },
        {
          name: 'resumes with SELECTED when the chosen drink was even claimed already',
          input: 'IN_PROGRESS',
          expected: 'SELECTED',
        },
        {
          name: 'resumes with CANCELLED when the customer already cancelled',
          input: 'CANCELLED',
          expected: 'CANCELLED',
        },
        {
          name: 'resumes with COMPLETED when the drink was already made',
          input: 'COMPLETED',
          expected: 'COMPLETED',
        },
      ] satisfies { name: string; input: OrderStatus; expected: string }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const order = orderItem(c.input);
        const w = fakePorts({ orders: [order] });

        await awaitCustomer(w.ports, input);

        expect(w.workflows.resumed).to.deep.equal([
          { token: TOKEN, output: { outcome: c.expected }, by: 'step' },
        ]);
        expect(w.orders.stored(SHOP, 'order-1'), 'the order was written').to.deep.equal(order);
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    ['TIMED_OUT', 'REJECTED'].forEach((status) => {
      it(`fails (nothing to wait for) on an order already ${status}`, async () => {
        const w = fakePorts({ orders: [orderItem(status as OrderStatus)] });

        const error = await rejectionOf(awaitCustomer(w.ports, input));

        expect((error as Error).message).to.include(`order is ${status}: nothing to wait for`);
        expect(w.workflows.resumed).to.deep.equal([]);
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    describe('a choice the customer made before the wait (kept on the order by the API)', () => {
      const chosenEarly = () =>
        orderItem('AWAITING_SELECTION', {
          drinkId: 'latte',
          modifiers: { Milk: 'Oat' },
        });

      it('applies it once through the OrderManager, which resumes this wait with SELECTED', async () => {
        const w = fakePorts({ orders: [chosenEarly()] });

        await awaitCustomer(w.ports, input);

        expect(w.orders.stored(SHOP, 'order-1')).to.include({
          status: 'QUEUED',
          drinkId: 'latte',
          submittedAt: NOW,
          customerTaskToken: TOKEN,
        });
        expect(w.workflows.applied.map((a) => [a.change.from, a.change.to])).to.deep.equal([
          ['AWAITING_SELECTION', 'QUEUED'],
        ]);
        expect(w.workflows.events.map((e) => e.DetailType)).to.deep.equal([
          'OrderManager.OrderPlaced',
        ]);
        expect(JSON.parse(w.workflows.events[0]?.Detail ?? '{}')).to.include({
          drinkId: 'latte',
          customerId: callers.owner.sub,
        });
        expect(w.workflows.resumed).to.deep.equal([
          { token: TOKEN, output: { outcome: 'SELECTED' }, by: 'manager' },
        ]);
        expect(w.bus.emitted.map((e) => e.detailType)).to.deep.equal([
          'OrderProcessor.WorkflowStarted',
        ]);
      });

      it('a repeated step after the choice was applied resumes with SELECTED and applies nothing again', async () => {
        const w = fakePorts({ orders: [chosenEarly()] });

        await awaitCustomer(w.ports, input);
        await awaitCustomer(w.ports, input);

        expect(w.workflows.applied).to.have.length(1);
        expect(w.workflows.events).to.have.length(1);
        expect(w.workflows.resumed.map((r) => r.by)).to.deep.equal(['manager', 'step']);
      });

      it('leaves an order that moved meanwhile (cancelled) as it is', async () => {
        const w = fakePorts({ orders: [chosenEarly()] });
        w.workflows.beforeApply = () => {
          const item = w.orders.stored(SHOP, 'order-1');
          if (item) w.orders.put(orderItem('CANCELLED', { drinkId: 'latte' }));
        };

        await awaitCustomer(w.ports, input);

        expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal('CANCELLED');
        expect(w.workflows.events).to.deep.equal([]);
        expect(w.workflows.resumed).to.deep.equal([]);
      });
    });

    it('keeps the execution’s ARN with the token, for the order’s journey', async () => {
      const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });
      const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:processor:order-1';

      await awaitCustomer(w.ports, { ...input, executionArn });

      expect(w.orders.stored(SHOP, 'order-1')).to.include({
        customerTaskToken: TOKEN,
        executionArn,
      });
      expect(JSON.stringify(w.bus.entries)).not.to.include(executionArn);
    });

    it('fails for an order that does not exist', async () => {
      const w = fakePorts();

      const error = await rejectionOf(awaitCustomer(w.ports, input));

      expect((error as Error).message).to.equal('order order-1 not found');
    });
  });

  describe('awaitBarista', () => {
    const input = { taskToken: TOKEN, shopId: SHOP, orderId: 'order-1', timeoutSeconds: 600 };

    (
      [
        {
          name: 'numbers a queued order with the shop’s next number, keeps the token',
          input: 'QUEUED',
        },
        {
          name: 'numbers an order a barista already claimed, keeps the token',
          input: 'IN_PROGRESS',
        },
      ] satisfies { name: string; input: OrderStatus }[]
    ).forEach((c) => {
      it(`${c.name}, and emits WaitingCompletion`, async () => {
        const w = fakePorts({ orders: [orderItem(c.input, { numbered: false })] });
        w.orders.setCounter(SHOP, 'ORDER_NUMBER', 41);

        await awaitBarista(w.ports, input);

        expect(w.orders.stored(SHOP, 'order-1')).to.include({
          status: c.input,
          baristaTaskToken: TOKEN,
          orderNumber: 42,
          updatedAt: NOW,
        });
        expect(parsedEvents(w)).to.deep.equal([
          {
            detailType: 'OrderProcessor.WaitingCompletion',
            detail: { ...orderBase, orderNumber: 42, timeoutSeconds: 600 },
          },
        ]);
        expect(JSON.stringify(w.bus.entries)).not.to.include(TOKEN);
        expect(w.workflows.resumed).to.deep.equal([]);
      });
    });

    (
      [
        {
          name: 'resumes with CANCELLED when the order was cancelled before the token was kept',
          input: 'CANCELLED',
          expected: 'CANCELLED',
        },
        {
          name: 'resumes with COMPLETED when the order was completed before the token was kept',
          input: 'COMPLETED',
          expected: 'COMPLETED',
        },
      ] satisfies { name: string; input: OrderStatus; expected: string }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const order = orderItem(c.input, { numbered: false });
        const w = fakePorts({ orders: [order] });

        await awaitBarista(w.ports, input);

        expect(w.workflows.resumed).to.deep.equal([
          { token: TOKEN, output: { outcome: c.expected }, by: 'step' },
        ]);
        // Nothing written: the ended order never gets its number, nor takes one from the shop.
        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(order);
        expect(w.orders.counter(SHOP, 'ORDER_NUMBER')).to.equal(undefined);
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    it('keeps the number an order already has when the step runs again, taking no other', async () => {
      const w = fakePorts({ orders: [orderItem('QUEUED', { numbered: false })] });
      await awaitBarista(w.ports, { ...input, taskToken: 'first-attempt' });

      await awaitBarista(w.ports, input);

      expect(w.orders.stored(SHOP, 'order-1')).to.include({
        baristaTaskToken: TOKEN,
        orderNumber: 1,
      });
      expect(w.orders.counter(SHOP, 'ORDER_NUMBER')?.value).to.equal(1);
      expect(
        parsedEvents(w).map((e) => e.detail.orderNumber),
        'each attempt tells the screens the same number',
      ).to.deep.equal([1, 1]);
    });

    it('numbers orders of the shop one after another', async () => {
      const w = fakePorts({
        orders: ['order-1', 'order-2'].map((orderId) =>
          orderItem('QUEUED', { orderId, numbered: false }),
        ),
      });

      await awaitBarista(w.ports, input);
      await awaitBarista(w.ports, { ...input, orderId: 'order-2' });

      expect(w.orders.all().map((o) => [o.orderId, o.orderNumber])).to.deep.equal([
        ['order-1', 1],
        ['order-2', 2],
      ]);
    });

    it('fails on an order still awaiting selection (the barista phase cannot have begun)', async () => {
      const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });

      const error = await rejectionOf(awaitBarista(w.ports, input));

      expect((error as Error).message).to.include(
        'order is AWAITING_SELECTION: nothing to wait for',
      );
    });

    it('fails for an order that does not exist', async () => {
      const w = fakePorts();

      const error = await rejectionOf(awaitBarista(w.ports, input));

      expect((error as Error).message).to.equal('order order-1 not found');
    });
  });

  describe('endOrder', () => {
    const cases: {
      name: string;
      input: { ending: Ending; order: OrderItem };
      expected: {
        status: OrderStatus;
        reason?: OrderReason;
        detailType: DetailType;
        detail: Record<string, unknown>;
      };
    }[] = [
      {
        name: 'rejects an order of a closed shop: REJECTED (CLOSED), ShopUnavailable',
        input: { ending: 'CLOSED', order: orderItem('AWAITING_SELECTION') },
        expected: {
          status: 'REJECTED',
          reason: 'CLOSED',
          detailType: 'OrderProcessor.ShopUnavailable',
          detail: { ...orderBase, reason: 'CLOSED' },
        },
      },
      {
        name: 'rejects an order of a full shop: REJECTED (AT_CAPACITY), ShopUnavailable',
        input: { ending: 'AT_CAPACITY', order: orderItem('AWAITING_SELECTION') },
        expected: {
          status: 'REJECTED',
          reason: 'AT_CAPACITY',
          detailType: 'OrderProcessor.ShopUnavailable',
          detail: { ...orderBase, reason: 'AT_CAPACITY' },
        },
      },
      {
        name: 'times out an order the customer never chose for: stage CUSTOMER',
        input: { ending: 'CUSTOMER_TIMEOUT', order: orderItem('AWAITING_SELECTION') },
        expected: {
          status: 'TIMED_OUT',
          reason: 'CUSTOMER_TIMEOUT',
          detailType: 'OrderProcessor.OrderTimedOut',
          detail: { ...orderBase, stage: 'CUSTOMER' },
        },
      },
      {
        name: 'times out a queued order no barista took: stage BARISTA, with its number and drink',
        input: { ending: 'BARISTA_TIMEOUT', order: orderItem('QUEUED') },
        expected: {
          status: 'TIMED_OUT',
          reason: 'BARISTA_TIMEOUT',
          detailType: 'OrderProcessor.OrderTimedOut',
          detail: { ...orderBase, stage: 'BARISTA', orderNumber: 7, drinkId: 'latte' },
        },
      },
      {
        name: 'times out a claimed order never completed: stage BARISTA, naming the barista',
        input: { ending: 'BARISTA_TIMEOUT', order: orderItem('IN_PROGRESS') },
        expected: {
          status: 'TIMED_OUT',
          reason: 'BARISTA_TIMEOUT',
          detailType: 'OrderProcessor.OrderTimedOut',
          detail: {
            ...orderBase,
            stage: 'BARISTA',
            orderNumber: 7,
            drinkId: 'latte',
            baristaId: callers.barista.sub,
          },
        },
      },
      {
        name: 'finishes a completed order: OrderFinished (COMPLETED) with its number',
        input: { ending: 'COMPLETED', order: orderItem('COMPLETED') },
        expected: {
          status: 'COMPLETED',
          detailType: 'OrderProcessor.OrderFinished',
          detail: { ...orderBase, outcome: 'COMPLETED', orderNumber: 7 },
        },
      },
      {
        name: 'finishes an order cancelled before it had a number: OrderFinished (CANCELLED)',
        input: {
          ending: 'CANCELLED',
          order: orderItem('AWAITING_SELECTION', {
            status: 'CANCELLED',
            reason: 'CANCELLED_BY_CUSTOMER',
            finishedAt: T3,
          }),
        },
        expected: {
          status: 'CANCELLED',
          detailType: 'OrderProcessor.OrderFinished',
          detail: { ...orderBase, outcome: 'CANCELLED' },
        },
      },
    ];

    cases.forEach((c) => {
      it(c.name, async () => {
        const w = fakePorts({ orders: [c.input.order] });

        const result = await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: c.input.ending,
        });

        expect(result).to.deep.equal({ status: c.expected.status });
        const stored = w.orders.stored(SHOP, 'order-1');
        expect(stored?.status).to.equal(c.expected.status);
        if (c.expected.reason) {
          expect(stored).to.include({ reason: c.expected.reason, finishedAt: NOW, updatedAt: NOW });
          // It left its old status's list (the queue) for the ending's.
          expect(stored?.gsi1pk).to.equal(`SHOP#${SHOP}#STATUS#${c.expected.status}`);
        } else {
          expect(stored, 'an OrderManager ending is not rewritten').to.deep.equal(c.input.order);
        }
        expect(parsedEvents(w)).to.deep.equal([
          { detailType: c.expected.detailType, detail: c.expected.detail },
        ]);
      });
    });

    it('changes nothing on the order when the step runs again', async () => {
      const w = fakePorts({ orders: [orderItem('QUEUED')] });
      await endOrder(w.ports, { shopId: SHOP, orderId: 'order-1', ending: 'BARISTA_TIMEOUT' });
      const first = w.orders.stored(SHOP, 'order-1');
      w.clock.advance(5_000);

      const again = await endOrder(w.ports, {
        shopId: SHOP,
        orderId: 'order-1',
        ending: 'BARISTA_TIMEOUT',
      });

      expect(again).to.deep.equal({ status: 'TIMED_OUT' });
      expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(first);
    });

    (['CLOSED', 'CUSTOMER_TIMEOUT', 'COMPLETED'] satisfies Ending[]).forEach((ending) => {
      it(`fails for an order that does not exist (${ending})`, async () => {
        const w = fakePorts();

        const error = await rejectionOf(
          endOrder(w.ports, { shopId: SHOP, orderId: 'order-1', ending }),
        );

        expect((error as Error).message).to.equal('order order-1 not found');
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    describe('the open-order slot', () => {
      const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:first';
      const OTHER_ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:again';

      (
        [
          { ending: 'CUSTOMER_TIMEOUT', order: orderItem('AWAITING_SELECTION') },
          { ending: 'BARISTA_TIMEOUT', order: orderItem('QUEUED') },
          { ending: 'AT_CAPACITY', order: orderItem('AWAITING_SELECTION') },
          { ending: 'COMPLETED', order: orderItem('COMPLETED') },
          { ending: 'CANCELLED', order: orderItem('CANCELLED') },
          // The timeout lost to a cancel: no ending of its own, but the slot is still given back.
          { ending: 'CUSTOMER_TIMEOUT', order: orderItem('CANCELLED') },
        ] satisfies { ending: Ending; order: OrderItem }[]
      ).forEach((c) => {
        it(`gives back a held slot once (${c.order.status} order, ${c.ending})`, async () => {
          const w = fakePorts({
            orders: [{ ...c.order, executionArn: ARN, slot: 'HELD' }],
          });
          w.orders.setCounter(SHOP, 'OPEN_ORDERS', 3);
          const end = () =>
            endOrder(w.ports, {
              shopId: SHOP,
              orderId: 'order-1',
              ending: c.ending,
              executionArn: ARN,
            });

          await end();
          await end();

          expect(w.orders.stored(SHOP, 'order-1')?.slot).to.equal('RELEASED');
          expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(2);
        });
      });

      it('gives back nothing for an order that holds no slot (rejected at admission)', async () => {
        const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION', { executionArn: ARN })] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 3);

        await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'AT_CAPACITY',
          executionArn: ARN,
        });

        expect(w.orders.stored(SHOP, 'order-1')).to.include({ status: 'REJECTED' });
        expect(w.orders.stored(SHOP, 'order-1')).not.to.have.property('slot');
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(3);
      });

      it('leaves an order another execution carries alone: no ending, no slot, no event', async () => {
        const carried = orderItem('AWAITING_SELECTION', { executionArn: ARN, slot: 'HELD' });
        const w = fakePorts({ orders: [carried] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 1);

        const result = await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'AT_CAPACITY',
          executionArn: OTHER_ARN,
        });

        expect(result).to.deep.equal({ status: 'AWAITING_SELECTION' });
        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(carried);
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    describe('the customer timeout never discards a choice made in time', () => {
      const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:first';
      const timeOut = (w: World) =>
        endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'CUSTOMER_TIMEOUT',
          executionArn: ARN,
        });

      it('lets a choice applied as the timer fired go on: answers QUEUED, ends nothing, keeps the slot', async () => {
        const queued = orderItem('QUEUED', { numbered: false, executionArn: ARN, slot: 'HELD' });
        const w = fakePorts({ orders: [queued] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 1);

        expect(await timeOut(w)).to.deep.equal({ status: 'QUEUED' });

        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(queued);
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
        expect(w.bus.emitted).to.deep.equal([]);
        expect(w.workflows.applied).to.deep.equal([]);
      });

      it('applies a choice kept on the order (the wait’s step was slower than the timer) and answers QUEUED', async () => {
        const kept = orderItem('AWAITING_SELECTION', {
          drinkId: 'latte',
          modifiers: { Milk: 'Oat' },
          executionArn: ARN,
          slot: 'HELD',
        });
        const w = fakePorts({ orders: [kept] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 1);

        expect(await timeOut(w)).to.deep.equal({ status: 'QUEUED' });

        expect(w.orders.stored(SHOP, 'order-1')).to.include({
          status: 'QUEUED',
          drinkId: 'latte',
          slot: 'HELD',
        });
        expect(w.orders.stored(SHOP, 'order-1')).not.to.have.property('reason');
        expect(w.workflows.applied.map((a) => [a.change.from, a.change.to])).to.deep.equal([
          ['AWAITING_SELECTION', 'QUEUED'],
        ]);
        expect(w.workflows.events.map((e) => e.DetailType)).to.deep.equal([
          'OrderManager.OrderPlaced',
        ]);
        expect(w.bus.emitted).to.deep.equal([]);
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(1);
      });

      it('fails (to be retried) when the order ended while its kept choice was applied; the retry gives back the slot', async () => {
        const kept = orderItem('AWAITING_SELECTION', {
          drinkId: 'latte',
          executionArn: ARN,
          slot: 'HELD',
        });
        const w = fakePorts({ orders: [kept] });
        w.orders.setCounter(SHOP, 'OPEN_ORDERS', 1);
        w.workflows.beforeApply = () => {
          w.orders.put(
            orderItem('CANCELLED', { drinkId: 'latte', executionArn: ARN, slot: 'HELD' }),
          );
        };

        const error = await timeOut(w).catch((e: unknown) => e);
        expect(String(error)).to.match(/is CANCELLED after its customer timeout/);
        expect(w.orders.stored(SHOP, 'order-1')?.slot).to.equal('HELD');

        expect(await timeOut(w)).to.deep.equal({ status: 'CANCELLED' });
        expect(w.orders.stored(SHOP, 'order-1')).to.include({
          status: 'CANCELLED',
          slot: 'RELEASED',
        });
        expect(w.orders.counter(SHOP, 'OPEN_ORDERS')?.value).to.equal(0);
        expect(w.bus.emitted).to.deep.equal([]);
      });
    });

    describe('an ending that lost to another one changes nothing and emits nothing', () => {
      it('emits nothing when the customer timeout loses to a cancel', async () => {
        const cancelled = orderItem('AWAITING_SELECTION', {
          status: 'CANCELLED',
          reason: 'CANCELLED_BY_CUSTOMER',
          finishedAt: T3,
        });
        const w = fakePorts({ orders: [cancelled] });

        const result = await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'CUSTOMER_TIMEOUT',
        });

        expect(result).to.deep.equal({ status: 'CANCELLED' });
        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(cancelled);
        expect(w.bus.types()).to.deep.equal([]);
      });

      it('emits nothing when the barista timeout loses to a completion', async () => {
        const w = fakePorts({ orders: [orderItem('COMPLETED')] });

        const result = await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'BARISTA_TIMEOUT',
        });

        expect(result).to.deep.equal({ status: 'COMPLETED' });
        expect(w.bus.types()).to.deep.equal([]);
      });

      it('emits nothing for a closed shop when the order is no longer awaiting selection', async () => {
        const w = fakePorts({ orders: [orderItem('QUEUED', { numbered: false })] });

        const result = await endOrder(w.ports, {
          shopId: SHOP,
          orderId: 'order-1',
          ending: 'CLOSED',
        });

        expect(result).to.deep.equal({ status: 'QUEUED' });
        expect(w.bus.types()).to.deep.equal([]);
      });
    });
  });
});
