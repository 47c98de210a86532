import { logger } from '@espresso/runtime';
import {
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  type OrderItem,
  type OrderReason,
  type OrderStatus,
} from '@espresso/schemas';
import { expect } from 'chai';
import sinon from 'sinon';
import { callers, fakePorts, NOW, orderItem, rejectionOf, SHOP, T3 } from '../testing/fakes';
import { awaitBarista, awaitCustomer, type Ending, endOrder } from './workflowSteps';

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
    sandbox.stub(logger, 'info'); // keep the spec reporter's output readable
  });

  afterEach(() => {
    sandbox.restore();
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
    const input = {
      taskToken: TOKEN,
      shopId: SHOP,
      orderId: 'order-1',
      orderNumber: 42,
      timeoutSeconds: 600,
    };

    (
      [
        { name: 'keeps the token and the number on a queued order', input: 'QUEUED' },
        {
          name: 'keeps the token and the number on an order a barista already claimed',
          input: 'IN_PROGRESS',
        },
      ] satisfies { name: string; input: OrderStatus }[]
    ).forEach((c) => {
      it(`${c.name}, and emits WaitingCompletion`, async () => {
        const w = fakePorts({ orders: [orderItem(c.input, { numbered: false })] });

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
        // Nothing written: the ended order never gets its number.
        expect(w.orders.stored(SHOP, 'order-1')).to.deep.equal(order);
        expect(w.bus.emitted).to.deep.equal([]);
      });
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
        name: 'times out an order whose choice raced the customer timeout: the workflow wins',
        input: {
          ending: 'CUSTOMER_TIMEOUT',
          order: orderItem('QUEUED', { numbered: false }),
        },
        expected: {
          status: 'TIMED_OUT',
          reason: 'CUSTOMER_TIMEOUT',
          detailType: 'OrderProcessor.OrderTimedOut',
          detail: { ...orderBase, stage: 'CUSTOMER', drinkId: 'latte' },
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
