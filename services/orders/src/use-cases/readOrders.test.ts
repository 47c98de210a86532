import { HttpError } from '@espresso/runtime';
import {
  OrderHistoryResponseSchema,
  type OrderItem,
  OrderJourneySchema,
  OrderSchema,
  QueueResponseSchema,
  toOrderDto,
} from '@espresso/schemas';
import { expect } from 'chai';
import {
  type Caller,
  callers,
  fakePorts,
  OTHER_SHOP,
  orderItem,
  rejectionOf,
  SHOP,
} from '../testing/fakes';
import { getJourney, getOrder, getQueue, listMyOrders } from './readOrders';

/** `n` minutes after 08:00 UTC on the test day. */
const at = (n: number) =>
  new Date(Date.parse('2026-11-24T08:00:00.000Z') + n * 60_000).toISOString();

/** An order placed (created) at minute `created` and queued at minute `submitted`. */
const placed = (
  id: string,
  status: OrderItem['status'],
  times: { created: number; submitted?: number },
  overrides: Partial<OrderItem> = {},
) =>
  orderItem(status, {
    orderId: id,
    createdAt: at(times.created),
    updatedAt: at(times.created),
    ...('submittedAt' in orderItem(status)
      ? { submittedAt: at(times.submitted ?? times.created + 1) }
      : {}),
    ...overrides,
  });

describe('getOrder', () => {
  const order = orderItem('IN_PROGRESS', {
    customerTaskToken: 'customer-token',
    baristaTaskToken: 'barista-token',
  });

  (
    [
      { name: 'shows the customer their own order', input: 'owner', expected: 'shown' },
      {
        name: 'shows the order to a barista of its shop',
        input: 'otherBaristaOfShop',
        expected: 'shown',
      },
      { name: 'shows the order to the admin of its shop', input: 'admin', expected: 'shown' },
      {
        name: 'shows the order to an admin of every shop',
        input: 'adminOfEveryShop',
        expected: 'shown',
      },
      { name: 'shows the order to the display of its shop', input: 'display', expected: 'shown' },
      {
        name: 'hides the order from another customer as 404',
        input: 'otherCustomer',
        expected: 'hidden',
      },
      {
        name: 'hides the order from a barista of another shop as 404',
        input: 'baristaOfOtherShop',
        expected: 'hidden',
      },
      {
        name: 'hides the order from an admin of another shop as 404',
        input: 'adminOfOtherShop',
        expected: 'hidden',
      },
    ] satisfies { name: string; input: Caller; expected: 'shown' | 'hidden' }[]
  ).forEach((c) => {
    it(c.name, async () => {
      const { ports } = fakePorts({ orders: [order] });

      if (c.expected === 'shown') {
        const answer = await getOrder(ports, callers[c.input], SHOP, 'order-1');
        expect(answer).to.deep.equal(toOrderDto(order));
        expect(OrderSchema.parse(answer)).to.deep.equal(answer);
        expect(JSON.stringify(answer)).not.to.match(/token|gsi|"pk"/);
      } else {
        const error = await rejectionOf(getOrder(ports, callers[c.input], SHOP, 'order-1'));
        expect(error).to.be.instanceOf(HttpError);
        expect(error).to.include({ code: 'NOT_FOUND', status: 404 });
      }
    });
  });

  it('says the same for someone else’s order as for an order that does not exist', async () => {
    const { ports } = fakePorts({ orders: [order] });

    const hidden = await rejectionOf(getOrder(ports, callers.otherCustomer, SHOP, 'order-1'));
    const missing = await rejectionOf(getOrder(ports, callers.otherCustomer, SHOP, 'order-2'));

    expect((hidden as Error).message).to.equal(
      (missing as Error).message.replace('order-2', 'order-1'),
    );
    expect(hidden).to.include({ code: (missing as HttpError).code });
  });

  it('answers 404 for an order asked for under another shop', async () => {
    const { ports } = fakePorts({ orders: [order] });

    const error = await rejectionOf(
      getOrder(ports, callers.adminOfEveryShop, OTHER_SHOP, 'order-1'),
    );

    expect(error).to.include({ code: 'NOT_FOUND' });
  });
});

describe('getQueue', () => {
  (
    [
      { name: 'shows the queue to a barista of the shop', input: 'barista', expected: 'shown' },
      { name: 'shows the queue to the admin of the shop', input: 'admin', expected: 'shown' },
      {
        name: 'shows the queue to an admin of every shop',
        input: 'adminOfEveryShop',
        expected: 'shown',
      },
      { name: 'shows the queue to the display of the shop', input: 'display', expected: 'shown' },
      { name: 'refuses a customer', input: 'owner', expected: 'forbidden' },
      {
        name: 'refuses a barista of another shop',
        input: 'baristaOfOtherShop',
        expected: 'forbidden',
      },
      {
        name: 'refuses the display of another shop',
        input: 'displayOfOtherShop',
        expected: 'forbidden',
      },
    ] satisfies { name: string; input: Caller; expected: 'shown' | 'forbidden' }[]
  ).forEach((c) => {
    it(c.name, async () => {
      const { ports } = fakePorts({ orders: [orderItem('QUEUED')] });

      if (c.expected === 'shown') {
        const answer = await getQueue(ports, callers[c.input], SHOP);
        expect(answer.queued.map((o) => o.orderId)).to.deep.equal(['order-1']);
      } else {
        const error = await rejectionOf(getQueue(ports, callers[c.input], SHOP));
        expect(error).to.be.instanceOf(HttpError);
        expect(error).to.include({ code: 'FORBIDDEN', status: 403 });
      }
    });
  });

  it('lists queued orders oldest placed first, those being made, and the latest ready first', async () => {
    const { ports } = fakePorts({
      orders: [
        placed('q-late', 'QUEUED', { created: 0, submitted: 9 }),
        placed('q-early', 'QUEUED', { created: 5, submitted: 6 }),
        // unclaimed again: keeps its place by when it was placed, not when it was unclaimed
        placed('q-mid', 'QUEUED', { created: 1, submitted: 7 }, { updatedAt: at(30) }),
        placed('p-1', 'IN_PROGRESS', { created: 2, submitted: 3 }),
        placed('done-old', 'COMPLETED', { created: 0, submitted: 1 }),
        placed('done-new', 'COMPLETED', { created: 0, submitted: 4 }),
        placed('awaiting', 'AWAITING_SELECTION', { created: 3 }),
        placed('cancelled', 'CANCELLED', { created: 3 }),
        placed('timed-out', 'TIMED_OUT', { created: 3 }),
        placed('elsewhere', 'QUEUED', { created: 0 }, { shopId: OTHER_SHOP }),
      ],
    });

    const answer = await getQueue(ports, callers.barista, SHOP);

    expect(QueueResponseSchema.parse(answer)).to.deep.equal(answer);
    expect({
      queued: answer.queued.map((o) => o.orderId),
      inProgress: answer.inProgress.map((o) => o.orderId),
      ready: answer.ready.map((o) => o.orderId),
    }).to.deep.equal({
      queued: ['q-early', 'q-mid', 'q-late'],
      inProgress: ['p-1'],
      ready: ['done-new', 'done-old'],
    });
  });

  it('shows at most the 20 latest ready orders', async () => {
    const done = Array.from({ length: 25 }, (_, i) =>
      placed(`done-${String(i).padStart(2, '0')}`, 'COMPLETED', { created: 0, submitted: i }),
    );
    const { ports } = fakePorts({ orders: done });

    const answer = await getQueue(ports, callers.display, SHOP);

    expect(answer.ready).to.have.length(20);
    expect(answer.ready[0]?.orderId).to.equal('done-24');
    expect(answer.ready[19]?.orderId).to.equal('done-05');
  });

  it('answers orders as DTOs, without keys or tokens', async () => {
    const { ports } = fakePorts({
      orders: [orderItem('IN_PROGRESS', { baristaTaskToken: 'secret-token' })],
    });

    const answer = await getQueue(ports, callers.barista, SHOP);

    expect(JSON.stringify(answer)).not.to.match(/secret-token|gsi1pk|"sk"/);
  });
});

describe('listMyOrders', () => {
  it('lists the caller’s orders in every shop, newest first, and nobody else’s', async () => {
    const { ports } = fakePorts({
      orders: [
        placed('mine-old', 'COMPLETED', { created: 1 }),
        placed('mine-new', 'AWAITING_SELECTION', { created: 20 }),
        placed('mine-elsewhere', 'QUEUED', { created: 10 }, { shopId: OTHER_SHOP }),
        placed('theirs', 'QUEUED', { created: 15 }, { customerId: callers.otherCustomer.sub }),
      ],
    });

    const answer = await listMyOrders(ports, callers.owner);

    expect(OrderHistoryResponseSchema.parse(answer)).to.deep.equal(answer);
    expect(answer.orders.map((o) => o.orderId)).to.deep.equal([
      'mine-new',
      'mine-elsewhere',
      'mine-old',
    ]);
    expect(JSON.stringify(answer)).not.to.match(/gsi2pk|TaskToken/);
  });

  it('answers an empty history for a customer who never ordered', async () => {
    const { ports } = fakePorts({ orders: [orderItem('QUEUED')] });

    expect(await listMyOrders(ports, callers.otherCustomer)).to.deep.equal({ orders: [] });
  });

  it('answers at most the 50 latest orders', async () => {
    const many = Array.from({ length: 55 }, (_, i) =>
      placed(`o-${String(i).padStart(2, '0')}`, 'COMPLETED', { created: i }),
    );
    const { ports } = fakePorts({ orders: many });

    const answer = await listMyOrders(ports, callers.owner);

    expect(answer.orders).to.have.length(50);
    expect(answer.orders[0]?.orderId).to.equal('o-54');
    expect(answer.orders[49]?.orderId).to.equal('o-05');
  });
});

describe('getJourney', () => {
  const ARN = 'arn:aws:states:us-east-1:123456789012:execution:order-processor:order-1';
  const steps = [
    { name: 'GetShop', enteredAt: at(0), exitedAt: at(0) },
    { name: 'WaitForCustomer', enteredAt: at(0) },
  ];

  const world = () => {
    const w = fakePorts({ orders: [orderItem('AWAITING_SELECTION', { executionArn: ARN })] });
    w.workflows.executions.set(ARN, { status: 'RUNNING', steps });
    return w;
  };

  it('shows the customer the workflow’s steps and status next to the order’s', async () => {
    const { ports } = world();

    const answer = await getJourney(ports, callers.owner, SHOP, 'order-1');

    expect(OrderJourneySchema.parse(answer)).to.deep.equal(answer);
    expect(answer).to.deep.equal({
      orderId: 'order-1',
      shopId: SHOP,
      status: 'AWAITING_SELECTION',
      workflowStatus: 'RUNNING',
      steps,
    });
  });

  it('answers no steps before the workflow picked the order up', async () => {
    const { ports } = fakePorts({ orders: [orderItem('AWAITING_SELECTION')] });

    const answer = await getJourney(ports, callers.barista, SHOP, 'order-1');

    expect(answer).to.deep.equal({
      orderId: 'order-1',
      shopId: SHOP,
      status: 'AWAITING_SELECTION',
      steps: [],
    });
  });

  it('hides another customer’s order as 404 without asking the workflow', async () => {
    const w = world();
    w.workflows.executions.clear(); // asking would throw ExecutionDoesNotExist

    const error = await rejectionOf(getJourney(w.ports, callers.otherCustomer, SHOP, 'order-1'));

    expect(error).to.be.instanceOf(HttpError);
    expect(error).to.include({ code: 'NOT_FOUND', status: 404 });
  });
});
