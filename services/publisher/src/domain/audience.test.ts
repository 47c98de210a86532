import {
  type BusEvent,
  DETAIL_TYPES,
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  eventSource,
  parseBusEvent,
} from '@espresso/schemas';
import { publisherContract } from '@espresso/schemas/contracts';
import { expect } from 'chai';
import { AUDIENCE_RULES, type Audience, deliveryFor } from './audience';

const AT = '2026-11-24T10:00:00.000Z';
const order = {
  version: 1,
  shopId: 'shop-a',
  orderId: '01JDQ0000000000000000000AB',
  customerId: 'customer-1',
  at: AT,
};

/** A full detail of every type, each field set, as the producers put it on the bus. */
const DETAILS: { [T in DetailType]: Record<string, unknown> } = {
  'Validator.NewOrder': { ...order, remaining: 7, codeExpiresAt: AT },
  'OrderProcessor.WorkflowStarted': { ...order, timeoutSeconds: 300 },
  'OrderProcessor.ShopUnavailable': { ...order, reason: 'CLOSED' },
  'OrderProcessor.WaitingCompletion': { ...order, orderNumber: 12, timeoutSeconds: 900 },
  'OrderProcessor.OrderTimedOut': {
    ...order,
    stage: 'BARISTA',
    orderNumber: 12,
    drinkId: 'latte',
    baristaId: 'barista-1',
  },
  'OrderProcessor.OrderFinished': { ...order, outcome: 'COMPLETED', orderNumber: 12 },
  'OrderManager.OrderPlaced': {
    ...order,
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    orderNumber: 12,
    createdAt: AT,
  },
  'OrderManager.OrderClaimed': {
    ...order,
    baristaId: 'barista-1',
    orderNumber: 12,
    drinkId: 'latte',
    submittedAt: AT,
  },
  'OrderManager.OrderUnclaimed': { ...order, baristaId: 'barista-1', orderNumber: 12 },
  'OrderManager.OrderCompleted': {
    ...order,
    baristaId: 'barista-1',
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    orderNumber: 12,
    createdAt: AT,
    submittedAt: AT,
    claimedAt: AT,
  },
  'OrderManager.OrderCancelled': {
    ...order,
    reason: 'CANCELLED_BY_BARISTA',
    cancelledBy: 'barista-1',
    previousStatus: 'IN_PROGRESS',
    orderNumber: 12,
    drinkId: 'latte',
    baristaId: 'barista-1',
  },
  'ConfigService.ConfigChanged': {
    version: 1,
    shopId: 'shop-a',
    at: AT,
    change: 'CLOSED',
    open: false,
    configVersion: 3,
    config: {
      shopId: 'shop-a',
      name: 'Bar A',
      open: false,
      menu: [
        {
          drinkId: 'latte',
          name: 'Latte',
          icon: 'latte',
          available: true,
          modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
        },
      ],
      limits: { maxOrdersPerCustomerPerDay: 5 },
      timeouts: { customerSeconds: 300 },
      updatedAt: AT,
    },
  },
};

const busEvent = (type: DetailType, detail = DETAILS[type]): BusEvent =>
  parseBusEvent({
    id: `event-${type}`,
    source: eventSource(type),
    'detail-type': type,
    time: AT,
    detail,
  });

const base = (extra: string[]) => ['shopId', 'orderId', 'status', ...extra].sort();
const config = ['change', 'config', 'configVersion', 'open', 'shopId'];

/**
 * Event type × audience → the exact fields it receives (besides `at`, beside the detail), or
 * `null` when that audience receives nothing.
 */
const TABLE: { [T in DetailType]: Record<Audience, string[] | null> } = {
  'Validator.NewOrder': {
    staff: base(['remaining', 'codeExpiresAt']),
    display: base(['remaining', 'codeExpiresAt']),
    owner: base([]),
    public: null,
  },
  'OrderProcessor.WorkflowStarted': {
    staff: null,
    display: null,
    owner: base(['timeoutSeconds']),
    public: null,
  },
  'OrderProcessor.ShopUnavailable': {
    staff: null,
    display: null,
    owner: base(['reason']),
    public: null,
  },
  'OrderProcessor.WaitingCompletion': {
    staff: base(['customerId', 'orderNumber', 'timeoutSeconds']),
    display: base(['orderNumber']),
    owner: base(['orderNumber', 'timeoutSeconds']),
    public: null,
  },
  'OrderProcessor.OrderTimedOut': {
    staff: base(['customerId', 'stage', 'orderNumber', 'drinkId', 'baristaId']),
    display: base(['orderNumber']),
    owner: base(['stage', 'orderNumber', 'drinkId']),
    public: null,
  },
  'OrderProcessor.OrderFinished': {
    staff: null,
    display: null,
    owner: base(['outcome', 'orderNumber']),
    public: null,
  },
  'OrderManager.OrderPlaced': {
    staff: base(['customerId', 'drinkId', 'modifiers', 'orderNumber', 'createdAt']),
    display: base(['drinkId', 'orderNumber']),
    owner: base(['drinkId', 'modifiers', 'orderNumber']),
    public: null,
  },
  'OrderManager.OrderClaimed': {
    staff: base(['customerId', 'baristaId', 'orderNumber', 'drinkId', 'submittedAt']),
    display: base(['drinkId', 'orderNumber']),
    owner: base(['drinkId', 'orderNumber']),
    public: null,
  },
  'OrderManager.OrderUnclaimed': {
    staff: base(['customerId', 'baristaId', 'orderNumber']),
    display: base(['orderNumber']),
    owner: base(['orderNumber']),
    public: null,
  },
  'OrderManager.OrderCompleted': {
    staff: base([
      'customerId',
      'baristaId',
      'drinkId',
      'modifiers',
      'orderNumber',
      'createdAt',
      'submittedAt',
      'claimedAt',
    ]),
    display: base(['drinkId', 'orderNumber']),
    owner: base(['drinkId', 'modifiers', 'orderNumber']),
    public: null,
  },
  'OrderManager.OrderCancelled': {
    staff: base([
      'customerId',
      'reason',
      'cancelledBy',
      'previousStatus',
      'orderNumber',
      'drinkId',
      'baristaId',
    ]),
    display: base(['previousStatus', 'orderNumber']),
    owner: base(['reason', 'previousStatus', 'orderNumber', 'drinkId']),
    public: null,
  },
  'ConfigService.ConfigChanged': {
    staff: config,
    display: config,
    owner: null,
    public: config,
  },
};

const STATUS: Partial<Record<DetailType, string>> = {
  'Validator.NewOrder': 'AWAITING_SELECTION',
  'OrderProcessor.WorkflowStarted': 'AWAITING_SELECTION',
  'OrderProcessor.ShopUnavailable': 'REJECTED',
  'OrderProcessor.WaitingCompletion': 'QUEUED',
  'OrderProcessor.OrderTimedOut': 'TIMED_OUT',
  'OrderProcessor.OrderFinished': 'COMPLETED',
  'OrderManager.OrderPlaced': 'QUEUED',
  'OrderManager.OrderClaimed': 'IN_PROGRESS',
  'OrderManager.OrderUnclaimed': 'QUEUED',
  'OrderManager.OrderCompleted': 'COMPLETED',
  'OrderManager.OrderCancelled': 'CANCELLED',
};

describe('audience rules', () => {
  it('has a row for every detail-type the schemas define', () => {
    expect(Object.keys(AUDIENCE_RULES).sort()).to.deep.equal([...DETAIL_TYPES].sort());
    expect(Object.keys(TABLE).sort()).to.deep.equal([...DETAIL_TYPES].sort());
  });

  it('fans out exactly the detail-types its contract consumes (the template test checks the rule)', () => {
    expect(Object.keys(AUDIENCE_RULES)).to.have.members(Object.keys(publisherContract.consumes));
  });

  for (const type of DETAIL_TYPES) {
    it(`${type}: the fixture is a valid detail`, () => {
      expect(EVENT_DETAIL_SCHEMAS[type].safeParse(DETAILS[type]).success).to.equal(true);
    });

    for (const audience of ['staff', 'display', 'owner', 'public'] as const) {
      const expected = TABLE[type][audience];
      it(`${type} → ${audience}: ${expected ? expected.join(', ') : 'nothing'}`, () => {
        const { messages } = deliveryFor(busEvent(type));
        const message = messages[audience];
        if (expected === null) {
          expect(message).to.equal(undefined);
          return;
        }
        expect(message?.type).to.equal(type);
        expect(message?.at).to.equal(AT);
        expect(Object.keys(message?.detail ?? {}).sort()).to.deep.equal([...expected].sort());
        for (const field of expected.filter((f) => f !== 'status')) {
          expect(message?.detail[field], field).to.deep.equal(DETAILS[type][field]);
        }
        if (STATUS[type]) expect(message?.detail.status).to.equal(STATUS[type]);
      });
    }
  }

  it('never gives a display or a customer another person’s id', () => {
    for (const type of DETAIL_TYPES) {
      const { messages } = deliveryFor(busEvent(type));
      for (const audience of ['display', 'owner', 'public'] as const) {
        const text = JSON.stringify(messages[audience] ?? {});
        expect(text, `${type} → ${audience}`).not.to.contain('barista-1');
        expect(text, `${type} → ${audience}`).not.to.contain('customer-1');
      }
    }
  });

  it('addresses the owner message to the order’s customer, and only order events have one', () => {
    expect(deliveryFor(busEvent('OrderManager.OrderPlaced')).ownerId).to.equal('customer-1');
    expect(deliveryFor(busEvent('ConfigService.ConfigChanged')).ownerId).to.equal(undefined);
  });

  it('drops fields the contract does not name (a task token) before any rule sees them', () => {
    const event = busEvent('OrderProcessor.WaitingCompletion', {
      ...DETAILS['OrderProcessor.WaitingCompletion'],
      taskToken: 'secret-token',
    });
    const text = JSON.stringify(deliveryFor(event));
    expect(text).not.to.contain('secret-token');
    expect(text).not.to.contain('taskToken');
  });

  it('leaves out optional fields the event does not carry', () => {
    const { orderNumber: _n, ...unnumbered } = DETAILS['OrderManager.OrderPlaced'];
    const { messages } = deliveryFor(busEvent('OrderManager.OrderPlaced', unnumbered));
    expect(messages.display?.detail).not.to.have.property('orderNumber');
  });
});
