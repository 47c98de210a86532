import { HttpError } from '@espresso/runtime';
import {
  EVENT_DETAIL_SCHEMAS,
  type Identity,
  isDetailType,
  type OrderItem,
  OrderSchema,
  type PutOrderBody,
} from '@espresso/schemas';
import { expect } from 'chai';
import type { Action } from '../domain/transitions';
import {
  type Caller,
  callers,
  fakePorts,
  NOW,
  OTHER_SHOP,
  orderItem,
  rejectionOf,
  SHOP,
} from '../testing/fakes';
import { changeOrder } from './changeOrder';

const CUSTOMER_TOKEN = 'customer-phase-token';
const BARISTA_TOKEN = 'barista-phase-token';

/** The order in `status`, holding the task token of the phase that waits on it. */
const waitingOrder = (status: OrderItem['status'], overrides: Partial<OrderItem> = {}) =>
  orderItem(status, {
    ...(status === 'AWAITING_SELECTION'
      ? { customerTaskToken: CUSTOMER_TOKEN }
      : { baristaTaskToken: BARISTA_TOKEN }),
    ...overrides,
  });

const worldWith = (order: OrderItem) => fakePorts({ orders: [order] });

const change = (
  w: ReturnType<typeof fakePorts>,
  who: Identity,
  action: Action,
  selection?: PutOrderBody,
  where: { shopId?: string; orderId?: string } = {},
) =>
  changeOrder(w.ports, {
    identity: who,
    shopId: where.shopId ?? SHOP,
    orderId: where.orderId ?? 'order-1',
    action,
    ...(selection ? { selection } : {}),
  });

const LATTE: PutOrderBody = { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Small' } };

const expectHttpError = (error: unknown, expected: Record<string, unknown>) => {
  expect(error).to.be.instanceOf(HttpError);
  expect(error).to.include(expected);
};

/** The OrderManager's events so far, each parsed with its detail-type's schema. */
const managerEvents = (w: ReturnType<typeof fakePorts>) =>
  w.workflows.events.map((entry) => {
    expect(isDetailType(entry.DetailType)).to.equal(true);
    return {
      type: entry.DetailType,
      detail: EVENT_DETAIL_SCHEMAS[entry.DetailType].parse(JSON.parse(entry.Detail)),
    };
  });

describe('changeOrder', () => {
  describe('unknown orders', () => {
    it('answers 404 for an order that does not exist', async () => {
      const w = worldWith(waitingOrder('QUEUED'));

      const error = await rejectionOf(
        change(w, callers.barista, 'claim', undefined, { orderId: 'nope' }),
      );

      expectHttpError(error, { code: 'NOT_FOUND', status: 404 });
    });

    it('answers 404 for an order of another shop asked for under this shop', async () => {
      const w = worldWith(waitingOrder('QUEUED'));

      const error = await rejectionOf(
        change(w, callers.adminOfEveryShop, 'claim', undefined, { shopId: OTHER_SHOP }),
      );

      expectHttpError(error, { code: 'NOT_FOUND' });
      expect(w.workflows.applied).to.deep.equal([]);
    });
  });

  describe('who may act (403 for the shop and the owner, 404 for strangers; nothing applied)', () => {
    (
      [
        {
          name: 'hides the order from another customer choosing the drink (404)',
          input: ['otherCustomer', 'select', 'AWAITING_SELECTION'],
        },
        {
          name: 'refuses a barista choosing the customer’s drink',
          input: ['barista', 'select', 'AWAITING_SELECTION'],
        },
        {
          name: 'refuses the customer claiming their own order',
          input: ['owner', 'claim', 'QUEUED'],
        },
        { name: 'refuses the display claiming an order', input: ['display', 'claim', 'QUEUED'] },
        {
          name: 'hides the order from a barista of another shop claiming (404)',
          input: ['baristaOfOtherShop', 'claim', 'QUEUED'],
        },
        {
          name: 'hides the order from an admin of another shop completing (404)',
          input: ['adminOfOtherShop', 'complete', 'IN_PROGRESS'],
        },
        {
          name: 'hides the order from another customer cancelling (404)',
          input: ['otherCustomer', 'cancel', 'QUEUED'],
        },
        { name: 'refuses the display cancelling', input: ['display', 'cancel', 'QUEUED'] },
      ] satisfies { name: string; input: [Caller, Action, OrderItem['status']] }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const [caller, action, status] = c.input;
        const w = worldWith(waitingOrder(status));

        const error = await rejectionOf(
          change(w, callers[caller], action, action === 'select' ? LATTE : undefined),
        );

        const stranger = ['otherCustomer', 'baristaOfOtherShop', 'adminOfOtherShop'].includes(
          caller,
        );
        expectHttpError(
          error,
          stranger ? { code: 'NOT_FOUND', status: 404 } : { code: 'FORBIDDEN', status: 403 },
        );
        expect(w.workflows.applied).to.deep.equal([]);
        expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal(status);
      });
    });

    it('hides the order from another customer before looking at the selection (404, not 400)', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));

      const error = await rejectionOf(
        change(w, callers.otherCustomer, 'select', { drinkId: 'not-on-menu', modifiers: {} }),
      );

      expectHttpError(error, { code: 'NOT_FOUND' });
    });
  });

  describe('the selection is checked against the shop’s menu (400 naming the field)', () => {
    const selectionErrors: { name: string; input: PutOrderBody; expected: string }[] = [
      {
        name: 'refuses a drink that is not on the menu',
        input: { drinkId: 'flat-white', modifiers: {} },
        expected: 'drinkId',
      },
      {
        name: 'refuses a drink that is not available',
        input: { drinkId: 'mocha', modifiers: {} },
        expected: 'drinkId',
      },
      {
        name: 'refuses a selection missing one of the drink’s modifier groups',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
        expected: 'modifiers.Size',
      },
      {
        name: 'refuses an option the group does not offer',
        input: { drinkId: 'latte', modifiers: { Milk: 'Soy', Size: 'Small' } },
        expected: 'modifiers.Milk',
      },
      {
        name: 'refuses a group the drink does not have',
        input: { drinkId: 'espresso', modifiers: { Sugar: 'Yes' } },
        expected: 'modifiers.Sugar',
      },
      {
        name: 'refuses an extra group next to the drink’s own',
        input: { drinkId: 'latte', modifiers: { Milk: 'Oat', Size: 'Small', Sugar: 'Yes' } },
        expected: 'modifiers.Sugar',
      },
    ];
    selectionErrors.forEach((c) => {
      it(c.name, async () => {
        const w = worldWith(waitingOrder('AWAITING_SELECTION'));

        const error = await rejectionOf(change(w, callers.owner, 'select', c.input));

        expectHttpError(error, { code: 'INVALID_REQUEST', status: 400, field: c.expected });
        expect((error as Error).message.startsWith(`${c.expected}: `)).to.equal(true);
        expect(w.workflows.applied).to.deep.equal([]);
      });
    });

    it('answers 404 when the order’s shop has disappeared', async () => {
      const w = fakePorts({ shops: [], orders: [waitingOrder('AWAITING_SELECTION')] });

      const error = await rejectionOf(change(w, callers.owner, 'select', LATTE));

      expectHttpError(error, { code: 'NOT_FOUND' });
    });
  });

  describe('applied changes', () => {
    it('queues the chosen drink, resumes the customer phase and answers the order', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));

      const answer = await change(w, callers.owner, 'select', LATTE);

      expect(answer).to.deep.equal(
        OrderSchema.parse({
          orderId: 'order-1',
          shopId: SHOP,
          status: 'QUEUED',
          customerId: callers.owner.sub,
          drinkId: 'latte',
          modifiers: LATTE.modifiers,
          createdAt: orderItem('AWAITING_SELECTION').createdAt,
          updatedAt: NOW,
        }),
      );
      expect(w.orders.stored(SHOP, 'order-1')).to.include({ status: 'QUEUED', submittedAt: NOW });
      expect(w.workflows.resumed).to.deep.equal([
        { token: CUSTOMER_TOKEN, output: { outcome: 'SELECTED' }, by: 'manager' },
      ]);
      expect(managerEvents(w).map((e) => e.type)).to.deep.equal(['OrderManager.OrderPlaced']);
    });

    it('takes a drink without modifier groups with no modifiers', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));

      const answer = await change(w, callers.owner, 'select', {
        drinkId: 'espresso',
        modifiers: {},
      });

      expect(answer).to.include({ status: 'QUEUED', drinkId: 'espresso' });
      expect(answer.modifiers).to.deep.equal({});
    });

    (
      [
        {
          name: 'lets a barista claim a queued order: IN_PROGRESS in their name, nothing resumed',
          input: { caller: 'otherBaristaOfShop', action: 'claim', status: 'QUEUED' },
          expected: {
            status: 'IN_PROGRESS',
            baristaId: callers.otherBaristaOfShop.sub,
            event: 'OrderManager.OrderClaimed',
            resumed: [],
          },
        },
        {
          name: 'lets the holder unclaim: back to QUEUED without a barista, nothing resumed',
          input: { caller: 'barista', action: 'unclaim', status: 'IN_PROGRESS' },
          expected: {
            status: 'QUEUED',
            baristaId: undefined,
            event: 'OrderManager.OrderUnclaimed',
            resumed: [],
          },
        },
        {
          name: 'lets the holder complete: COMPLETED, the barista phase resumed',
          input: { caller: 'barista', action: 'complete', status: 'IN_PROGRESS' },
          expected: {
            status: 'COMPLETED',
            baristaId: callers.barista.sub,
            event: 'OrderManager.OrderCompleted',
            resumed: [{ token: BARISTA_TOKEN, output: { outcome: 'COMPLETED' }, by: 'manager' }],
          },
        },
        {
          name: 'lets the customer cancel before choosing: the customer phase resumed',
          input: { caller: 'owner', action: 'cancel', status: 'AWAITING_SELECTION' },
          expected: {
            status: 'CANCELLED',
            baristaId: undefined,
            event: 'OrderManager.OrderCancelled',
            resumed: [{ token: CUSTOMER_TOKEN, output: { outcome: 'CANCELLED' }, by: 'manager' }],
          },
        },
        {
          name: 'lets the shop cancel an order being made: the barista phase resumed',
          input: { caller: 'admin', action: 'cancel', status: 'IN_PROGRESS' },
          expected: {
            status: 'CANCELLED',
            baristaId: callers.barista.sub,
            event: 'OrderManager.OrderCancelled',
            resumed: [{ token: BARISTA_TOKEN, output: { outcome: 'CANCELLED' }, by: 'manager' }],
          },
        },
      ] satisfies {
        name: string;
        input: { caller: Caller; action: Action; status: OrderItem['status'] };
        expected: Record<string, unknown>;
      }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const w = worldWith(waitingOrder(c.input.status));

        const answer = await change(w, callers[c.input.caller], c.input.action);

        expect(OrderSchema.parse(answer)).to.deep.equal(answer);
        expect(answer.status).to.equal(c.expected.status);
        expect(answer.baristaId).to.equal(c.expected.baristaId);
        expect(answer).not.to.have.any.keys(
          'pk',
          'gsi1pk',
          'customerTaskToken',
          'baristaTaskToken',
        );
        expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal(c.expected.status);
        expect(managerEvents(w).map((e) => e.type)).to.deep.equal([c.expected.event]);
        expect(w.workflows.resumed).to.deep.equal(c.expected.resumed);
        expect(w.workflows.applied[0]?.change.from).to.equal(c.input.status);
      });
    });
  });

  describe('conflicts (409 on status)', () => {
    [
      {
        name: 'refuses to claim a completed order, naming its status',
        input: {
          caller: 'barista' as Caller,
          action: 'claim' as Action,
          status: 'COMPLETED' as const,
        },
        expected: 'is COMPLETED',
      },
      {
        name: 'refuses to choose again once the drink is queued',
        input: { caller: 'owner' as Caller, action: 'select' as Action, status: 'QUEUED' as const },
        expected: 'is QUEUED',
      },
      {
        name: 'refuses the customer cancelling once a barista claimed it',
        input: {
          caller: 'owner' as Caller,
          action: 'cancel' as Action,
          status: 'IN_PROGRESS' as const,
        },
        expected: 'too late to cancel',
      },
      {
        name: 'refuses completing an order another barista holds',
        input: {
          caller: 'otherBaristaOfShop' as Caller,
          action: 'complete' as Action,
          status: 'IN_PROGRESS' as const,
        },
        expected: 'held by another barista',
      },
    ].forEach((c) => {
      it(c.name, async () => {
        const w = worldWith(waitingOrder(c.input.status));

        const error = await rejectionOf(
          change(
            w,
            callers[c.input.caller],
            c.input.action,
            c.input.action === 'select' ? LATTE : undefined,
          ),
        );

        expectHttpError(error, { code: 'CONFLICT', status: 409, field: 'status' });
        expect((error as Error).message).to.include(c.expected);
        expect(w.workflows.applied).to.deep.equal([]);
      });
    });

    it('lets exactly one of two baristas racing for an order claim it; the other gets 409 naming IN_PROGRESS', async () => {
      const w = worldWith(waitingOrder('QUEUED'));

      const results = await Promise.allSettled([
        change(w, callers.barista, 'claim'),
        change(w, callers.otherBaristaOfShop, 'claim'),
      ]);

      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).to.have.length(1);
      expect(lost).to.have.length(1);
      const reason: unknown = lost[0]?.reason;
      expectHttpError(reason, { code: 'CONFLICT', status: 409, field: 'status' });
      expect((reason as HttpError).message).to.include('it is IN_PROGRESS');
      expect(w.workflows.events).to.have.length(1);
    });

    it('answers 409 with the status the order reached meanwhile when the workflow lost the race', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));
      w.workflows.beforeApply = () => {
        w.orders.put(orderItem('TIMED_OUT'));
      };

      const error = await rejectionOf(change(w, callers.owner, 'select', LATTE));

      expectHttpError(error, { code: 'CONFLICT', status: 409, field: 'status' });
      expect((error as Error).message).to.equal('order order-1 changed meanwhile: it is TIMED_OUT');
      expect(w.workflows.resumed).to.deep.equal([]);
    });

    it('plans a change again from the status a lost race reached: a cancel of an order queued meanwhile goes through', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));
      let moved = false;
      w.workflows.beforeApply = () => {
        if (moved) return;
        moved = true;
        // The workflow applied a kept choice between the API's read and its write.
        w.orders.put(orderItem('QUEUED'));
      };

      const answered = await change(w, callers.owner, 'cancel');

      expect(answered).to.include({ status: 'CANCELLED', reason: 'CANCELLED_BY_CUSTOMER' });
      expect(w.workflows.applied.map((a) => a.change.from)).to.deep.equal([
        'AWAITING_SELECTION',
        'QUEUED',
      ]);
      expect(managerEvents(w).map((e) => e.type)).to.deep.equal(['OrderManager.OrderCancelled']);
    });

    it('answers 409 saying the order is gone when it vanished meanwhile', async () => {
      const w = worldWith(waitingOrder('QUEUED'));
      w.workflows.beforeApply = () => {
        w.orders.delete(SHOP, 'order-1');
      };

      const error = await rejectionOf(change(w, callers.barista, 'claim'));

      expectHttpError(error, { code: 'CONFLICT' });
      expect((error as Error).message).to.include('it is gone');
    });
  });

  describe('each action starts from its own status', () => {
    it('refuses with 409 an owner re-choosing an order a barista is making', async () => {
      const w = worldWith(waitingOrder('IN_PROGRESS', { customerTaskToken: CUSTOMER_TOKEN }));
      const error = await rejectionOf(change(w, callers.owner, 'select', LATTE));
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).status).to.equal(409);
      expect((error as HttpError).message).to.contain('IN_PROGRESS');
      expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal('IN_PROGRESS');
      expect(w.workflows.resumed).to.deep.equal([]);
    });

    it('refuses with 409 an admin unclaiming an order that awaits selection', async () => {
      const w = worldWith(waitingOrder('AWAITING_SELECTION'));
      const error = await rejectionOf(change(w, callers.admin, 'unclaim'));
      expect((error as HttpError).status).to.equal(409);
      expect((error as HttpError).message).to.contain('AWAITING_SELECTION');
      expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal('AWAITING_SELECTION');
    });

    it('refuses with 409 naming the status a choice on an order that timed out, was cancelled or rejected', async () => {
      for (const status of ['TIMED_OUT', 'CANCELLED', 'REJECTED'] as const) {
        const w = worldWith(orderItem(status));
        const error = await rejectionOf(change(w, callers.owner, 'select', LATTE));
        expectHttpError(error, { status: 409, field: 'status' });
        expect((error as HttpError).message).to.contain(status);
        expect((error as HttpError).message).not.to.match(/try again/i);
        expect(w.orders.stored(SHOP, 'order-1'), status).to.deep.equal(orderItem(status));
        expect(w.workflows.applied).to.deep.equal([]);
      }
    });
  });

  describe('a choice before the workflow waits for it (no customer-phase token yet)', () => {
    const early = () => orderItem('AWAITING_SELECTION', { customerTaskToken: undefined });

    it('keeps the choice on the order, still AWAITING_SELECTION, with no event and no resume', async () => {
      const w = worldWith(early());

      const answered = await change(w, callers.owner, 'select', LATTE);

      expect(OrderSchema.parse(answered)).to.include({
        status: 'AWAITING_SELECTION',
        drinkId: 'latte',
        updatedAt: NOW,
      });
      expect(answered.modifiers).to.deep.equal(LATTE.modifiers);
      expect(w.orders.stored(SHOP, 'order-1')).to.include({
        status: 'AWAITING_SELECTION',
        drinkId: 'latte',
      });
      expect(w.workflows.applied).to.deep.equal([]);
      expect(w.workflows.resumed).to.deep.equal([]);
    });

    it('lets the customer change a kept choice until the workflow applies it', async () => {
      const w = worldWith(early());

      await change(w, callers.owner, 'select', LATTE);
      await change(w, callers.owner, 'select', { drinkId: 'espresso', modifiers: {} });

      expect(w.orders.stored(SHOP, 'order-1')?.drinkId).to.equal('espresso');
    });

    it('goes through the OrderManager when the workflow kept its token meanwhile', async () => {
      const w = worldWith(early());
      // The token is kept between the API's read and its conditional write.
      const storeChoice = w.orders.storeChoice.bind(w.orders);
      w.orders.storeChoice = async (request) => {
        const item = w.orders.stored(SHOP, 'order-1');
        if (item) w.orders.put({ ...item, customerTaskToken: CUSTOMER_TOKEN });
        return storeChoice(request);
      };

      const answered = await change(w, callers.owner, 'select', LATTE);

      expect(answered.status).to.equal('QUEUED');
      expect(w.workflows.applied).to.have.length(1);
      expect(w.workflows.resumed).to.deep.equal([
        { token: CUSTOMER_TOKEN, output: { outcome: 'SELECTED' }, by: 'manager' },
      ]);
    });

    it('refuses with 409 naming the status when the order was cancelled meanwhile', async () => {
      const w = worldWith(early());
      const storeChoice = w.orders.storeChoice.bind(w.orders);
      w.orders.storeChoice = async (request) => {
        const item = w.orders.stored(SHOP, 'order-1');
        if (item) w.orders.put(orderItem('CANCELLED', { createdAt: item.createdAt }));
        return storeChoice(request);
      };

      const error = await rejectionOf(change(w, callers.owner, 'select', LATTE));

      expectHttpError(error, { status: 409, field: 'status' });
      expect((error as HttpError).message).to.contain('CANCELLED');
      expect(w.orders.stored(SHOP, 'order-1')?.status).to.equal('CANCELLED');
      expect(w.workflows.applied).to.deep.equal([]);
    });

    it('still refuses another customer (404) and a wrong drink (400)', async () => {
      const w = worldWith(early());
      expectHttpError(await rejectionOf(change(w, callers.otherCustomer, 'select', LATTE)), {
        status: 404,
      });
      expectHttpError(
        await rejectionOf(change(w, callers.owner, 'select', { drinkId: 'nope', modifiers: {} })),
        { status: 400 },
      );
      expect(w.orders.stored(SHOP, 'order-1')?.drinkId).to.equal(undefined);
    });
  });
});
