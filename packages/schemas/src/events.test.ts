import { expect } from 'chai';
import { describe, it } from 'mocha';
import * as z from 'zod';
import { describeZodError } from './errors';
import {
  buildEventEntry,
  DETAIL_TYPES,
  type DetailInputOf,
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  EVENT_SOURCES,
  eventSource,
  isDetailType,
  ORDER_EVENT_STATUS,
  parseBusEvent,
  parseEventDetail,
  WaitingCompletionInternalSchema,
  WorkflowStartedInternalSchema,
} from './events';
import { ORDER_STATUSES } from './order';

const T0 = '2024-05-01T09:00:00.000Z';
const T1 = '2024-05-01T09:01:00.000Z';
const T2 = '2024-05-01T09:03:00.000Z';
const T3 = '2024-05-01T09:06:00.000Z';

const order = {
  version: 1,
  shopId: 'cafe',
  orderId: 'V1StGXR8_Z5jdHi6B-myT',
  customerId: 'customer-sub',
} as const;

const publicConfig = {
  shopId: 'cafe',
  name: 'Café',
  open: true,
  menu: [
    {
      drinkId: 'latte',
      name: 'Latte',
      icon: 'latte',
      available: true,
      modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
    },
  ],
  limits: { maxOrdersPerCustomerPerDay: 3 },
  timeouts: { customerSeconds: 300 },
  updatedAt: T0,
};

/** One valid detail per detail-type. */
const valid: { [T in DetailType]: DetailInputOf<T> } = {
  'Validator.NewOrder': { ...order, at: T0, remaining: 9, codeExpiresAt: T1 },
  'OrderProcessor.WorkflowStarted': { ...order, at: T0, timeoutSeconds: 300 },
  'OrderProcessor.ShopUnavailable': { ...order, at: T0, reason: 'CLOSED' },
  'OrderProcessor.WaitingCompletion': { ...order, at: T1, orderNumber: 12, timeoutSeconds: 900 },
  'OrderProcessor.OrderTimedOut': {
    ...order,
    at: T2,
    stage: 'BARISTA',
    orderNumber: 12,
    drinkId: 'latte',
    baristaId: 'barista-sub',
  },
  'OrderProcessor.OrderFinished': { ...order, at: T3, outcome: 'COMPLETED', orderNumber: 12 },
  'OrderManager.OrderPlaced': {
    ...order,
    at: T1,
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    createdAt: T0,
  },
  'OrderManager.OrderClaimed': {
    ...order,
    at: T2,
    baristaId: 'barista-sub',
    orderNumber: 12,
    drinkId: 'latte',
    submittedAt: T1,
  },
  'OrderManager.OrderUnclaimed': { ...order, at: T2, baristaId: 'barista-sub', orderNumber: 12 },
  'OrderManager.OrderCompleted': {
    ...order,
    at: T3,
    baristaId: 'barista-sub',
    drinkId: 'latte',
    modifiers: { Milk: 'Oat' },
    orderNumber: 12,
    createdAt: T0,
    submittedAt: T1,
    claimedAt: T2,
  },
  'OrderManager.OrderCancelled': {
    ...order,
    at: T2,
    reason: 'CANCELLED_BY_CUSTOMER',
    cancelledBy: 'customer-sub',
    previousStatus: 'QUEUED',
    drinkId: 'latte',
  },
  'ConfigService.ConfigChanged': {
    version: 1,
    shopId: 'cafe',
    at: T0,
    change: 'OPENED',
    open: true,
    configVersion: 5,
    config: publicConfig,
  },
};

/** `valid`, or the field the first issue names. */
const fieldOf = (type: DetailType, input: unknown): string => {
  const result = EVENT_DETAIL_SCHEMAS[type].safeParse(input);
  return result.success ? 'valid' : describeZodError(result.error).field;
};

/** Every property name anywhere in a JSON Schema. */
const propertyNames = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(propertyNames);
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own =
    record.properties && typeof record.properties === 'object'
      ? Object.keys(record.properties)
      : [];
  return [...own, ...Object.values(record).flatMap(propertyNames)];
};

const ORDER_TYPES = DETAIL_TYPES.filter((t) => t !== 'ConfigService.ConfigChanged');

describe('events', () => {
  describe('catalogue', () => {
    it('has exactly the detail-types of the design', () => {
      expect(DETAIL_TYPES).to.have.members([
        'Validator.NewOrder',
        'OrderProcessor.WorkflowStarted',
        'OrderProcessor.ShopUnavailable',
        'OrderProcessor.WaitingCompletion',
        'OrderProcessor.OrderTimedOut',
        'OrderProcessor.OrderFinished',
        'OrderManager.OrderPlaced',
        'OrderManager.OrderClaimed',
        'OrderManager.OrderUnclaimed',
        'OrderManager.OrderCompleted',
        'OrderManager.OrderCancelled',
        'ConfigService.ConfigChanged',
      ]);
      expect(DETAIL_TYPES).to.have.length(12);
    });

    [
      { name: 'knows a listed detail-type', input: 'OrderManager.OrderClaimed', expected: true },
      {
        name: 'does not know the reference OrderTimeOut spelling',
        input: 'OrderProcessor.OrderTimeOut',
        expected: false,
      },
      {
        name: 'does not know the reference lower-case orderFinished',
        input: 'OrderProcessor.orderFinished',
        expected: false,
      },
      {
        name: 'does not know a shop-specific detail-type',
        input: 'OrderManager.Ordercafe-COMPLETED',
        expected: false,
      },
      {
        name: 'does not take an inherited property for a detail-type',
        input: 'toString',
        expected: false,
      },
      { name: 'does not take a non-string', input: 1, expected: false },
    ].forEach((c) => {
      it(c.name, () => {
        expect(isDetailType(c.input)).to.equal(c.expected);
      });
    });

    [
      { type: 'Validator.NewOrder', source: 'espresso.orders' },
      { type: 'OrderProcessor.WorkflowStarted', source: 'espresso.orders' },
      { type: 'OrderProcessor.OrderFinished', source: 'espresso.orders' },
      { type: 'OrderManager.OrderCompleted', source: 'espresso.orders' },
      { type: 'ConfigService.ConfigChanged', source: 'espresso.config' },
    ].forEach((c) => {
      it(`puts ${c.type} on the bus from ${c.source}`, () => {
        expect(isDetailType(c.type)).to.equal(true);
        if (isDetailType(c.type)) expect(eventSource(c.type)).to.equal(c.source);
      });
    });

    it('maps every producer to an espresso.<service> source', () => {
      expect(EVENT_SOURCES).to.deep.equal({
        Validator: 'espresso.orders',
        OrderProcessor: 'espresso.orders',
        OrderManager: 'espresso.orders',
        ConfigService: 'espresso.config',
      });
    });

    it('names a known producer in every detail-type', () => {
      for (const type of DETAIL_TYPES) {
        expect(Object.keys(EVENT_SOURCES), type).to.include(type.split('.')[0]);
      }
    });
  });

  describe('every detail', () => {
    DETAIL_TYPES.forEach((type) => {
      describe(type, () => {
        it('accepts a complete detail and keeps it as it is', () => {
          expect(EVENT_DETAIL_SCHEMAS[type].parse(valid[type])).to.deep.equal(valid[type]);
        });

        [
          {
            name: 'rejects a missing schema version',
            patch: { version: undefined },
            expected: 'version',
          },
          { name: 'rejects schema version 2', patch: { version: 2 }, expected: 'version' },
          { name: 'rejects a missing shopId', patch: { shopId: undefined }, expected: 'shopId' },
          {
            name: 'rejects a shopId that is not a slug',
            patch: { shopId: 'Cafe' },
            expected: 'shopId',
          },
          { name: 'rejects a missing time', patch: { at: undefined }, expected: 'at' },
          {
            name: 'rejects a time without milliseconds',
            patch: { at: '2024-05-01T09:00:00Z' },
            expected: 'at',
          },
          {
            name: 'rejects a task token',
            patch: { taskToken: 'AQCEAAAAKgAAAAMAAAAA' },
            expected: 'taskToken',
          },
          {
            name: 'rejects the reference TaskToken field',
            patch: { TaskToken: 'AQCEAAAAKgAAAAMAAAAA' },
            expected: 'TaskToken',
          },
          {
            name: 'rejects a human-readable Message',
            patch: { Message: 'hello' },
            expected: 'Message',
          },
        ].forEach((c) => {
          it(c.name, () => {
            expect(fieldOf(type, { ...valid[type], ...c.patch })).to.equal(c.expected);
          });
        });

        it('names no task token anywhere in its schema', () => {
          const names = propertyNames(z.toJSONSchema(EVENT_DETAIL_SCHEMAS[type], { io: 'input' }));
          expect(names).to.include('shopId');
          expect(names.filter((n) => /token/i.test(n))).to.deep.equal([]);
        });
      });
    });

    ORDER_TYPES.forEach((type) => {
      it(`${type} names the order and its customer`, () => {
        expect(fieldOf(type, { ...valid[type], orderId: undefined })).to.equal('orderId');
        expect(fieldOf(type, { ...valid[type], orderId: 'a#b' })).to.equal('orderId');
        expect(fieldOf(type, { ...valid[type], customerId: undefined })).to.equal('customerId');
      });
    });
  });

  describe('detail-specific rules', () => {
    const without = <T extends DetailType>(type: T, key: string) => {
      const copy: Record<string, unknown> = { ...valid[type] };
      delete copy[key];
      return copy;
    };
    type Case = { name: string; type: DetailType; input: unknown; expected: string };
    const cases: Case[] = [
      {
        name: 'NewOrder needs the remaining count of the code',
        type: 'Validator.NewOrder',
        input: without('Validator.NewOrder', 'remaining'),
        expected: 'remaining',
      },
      {
        name: 'NewOrder rejects a negative remaining count',
        type: 'Validator.NewOrder',
        input: { ...valid['Validator.NewOrder'], remaining: -1 },
        expected: 'remaining',
      },
      {
        name: 'NewOrder never carries the code itself',
        type: 'Validator.NewOrder',
        input: { ...valid['Validator.NewOrder'], code: 'Xk3_9a-QzP' },
        expected: 'code',
      },
      {
        name: 'NewOrder rejects the reference userId field',
        type: 'Validator.NewOrder',
        input: { ...valid['Validator.NewOrder'], userId: 'u' },
        expected: 'userId',
      },
      {
        name: 'WorkflowStarted needs the customer timeout',
        type: 'OrderProcessor.WorkflowStarted',
        input: without('OrderProcessor.WorkflowStarted', 'timeoutSeconds'),
        expected: 'timeoutSeconds',
      },
      {
        name: 'WorkflowStarted rejects the timeout as a DynamoDB string',
        type: 'OrderProcessor.WorkflowStarted',
        input: { ...valid['OrderProcessor.WorkflowStarted'], timeoutSeconds: '300' },
        expected: 'timeoutSeconds',
      },
      {
        name: 'ShopUnavailable accepts AT_CAPACITY',
        type: 'OrderProcessor.ShopUnavailable',
        input: { ...valid['OrderProcessor.ShopUnavailable'], reason: 'AT_CAPACITY' },
        expected: 'valid',
      },
      {
        name: 'ShopUnavailable rejects a timeout reason',
        type: 'OrderProcessor.ShopUnavailable',
        input: { ...valid['OrderProcessor.ShopUnavailable'], reason: 'CUSTOMER_TIMEOUT' },
        expected: 'reason',
      },
      {
        name: 'ShopUnavailable needs the order it turned away',
        type: 'OrderProcessor.ShopUnavailable',
        input: without('OrderProcessor.ShopUnavailable', 'orderId'),
        expected: 'orderId',
      },
      {
        name: 'WaitingCompletion needs the order number',
        type: 'OrderProcessor.WaitingCompletion',
        input: without('OrderProcessor.WaitingCompletion', 'orderNumber'),
        expected: 'orderNumber',
      },
      {
        name: 'WaitingCompletion rejects the order number as a string',
        type: 'OrderProcessor.WaitingCompletion',
        input: { ...valid['OrderProcessor.WaitingCompletion'], orderNumber: '12' },
        expected: 'orderNumber',
      },
      {
        name: 'OrderTimedOut accepts the customer stage without a number',
        type: 'OrderProcessor.OrderTimedOut',
        input: { ...order, at: T0, stage: 'CUSTOMER' },
        expected: 'valid',
      },
      {
        name: 'OrderTimedOut rejects an unknown stage',
        type: 'OrderProcessor.OrderTimedOut',
        input: { ...valid['OrderProcessor.OrderTimedOut'], stage: 'KITCHEN' },
        expected: 'stage',
      },
      {
        name: 'OrderTimedOut rejects the reference free-text cause',
        type: 'OrderProcessor.OrderTimedOut',
        input: { ...without('OrderProcessor.OrderTimedOut', 'stage'), cause: 'Customer timedout' },
        expected: 'stage',
      },
      {
        name: 'OrderFinished accepts a cancellation',
        type: 'OrderProcessor.OrderFinished',
        input: { ...valid['OrderProcessor.OrderFinished'], outcome: 'CANCELLED' },
        expected: 'valid',
      },
      {
        name: 'OrderFinished needs its outcome',
        type: 'OrderProcessor.OrderFinished',
        input: without('OrderProcessor.OrderFinished', 'outcome'),
        expected: 'outcome',
      },
      {
        name: 'OrderFinished rejects a timeout as outcome',
        type: 'OrderProcessor.OrderFinished',
        input: { ...valid['OrderProcessor.OrderFinished'], outcome: 'TIMED_OUT' },
        expected: 'outcome',
      },
      {
        name: 'OrderPlaced needs the drink',
        type: 'OrderManager.OrderPlaced',
        input: without('OrderManager.OrderPlaced', 'drinkId'),
        expected: 'drinkId',
      },
      {
        name: 'OrderPlaced needs the modifiers',
        type: 'OrderManager.OrderPlaced',
        input: without('OrderManager.OrderPlaced', 'modifiers'),
        expected: 'modifiers',
      },
      {
        name: 'OrderPlaced rejects the reference drinkOrder JSON string',
        type: 'OrderManager.OrderPlaced',
        input: { ...valid['OrderManager.OrderPlaced'], drinkOrder: '{"drink":"Latte"}' },
        expected: 'drinkOrder',
      },
      {
        name: 'OrderPlaced accepts an order number when it is known',
        type: 'OrderManager.OrderPlaced',
        input: { ...valid['OrderManager.OrderPlaced'], orderNumber: 3 },
        expected: 'valid',
      },
      {
        name: 'OrderClaimed needs the barista',
        type: 'OrderManager.OrderClaimed',
        input: without('OrderManager.OrderClaimed', 'baristaId'),
        expected: 'baristaId',
      },
      {
        name: 'OrderClaimed needs the submit time for waiting time',
        type: 'OrderManager.OrderClaimed',
        input: without('OrderManager.OrderClaimed', 'submittedAt'),
        expected: 'submittedAt',
      },
      {
        name: 'OrderUnclaimed needs the barista who let go',
        type: 'OrderManager.OrderUnclaimed',
        input: without('OrderManager.OrderUnclaimed', 'baristaId'),
        expected: 'baristaId',
      },
      {
        name: 'OrderUnclaimed rejects an empty barista (the reference unmake)',
        type: 'OrderManager.OrderUnclaimed',
        input: { ...valid['OrderManager.OrderUnclaimed'], baristaId: '' },
        expected: 'baristaId',
      },
      {
        name: 'OrderCompleted needs the barista',
        type: 'OrderManager.OrderCompleted',
        input: without('OrderManager.OrderCompleted', 'baristaId'),
        expected: 'baristaId',
      },
      {
        name: 'OrderCompleted needs the drink',
        type: 'OrderManager.OrderCompleted',
        input: without('OrderManager.OrderCompleted', 'drinkId'),
        expected: 'drinkId',
      },
      {
        name: 'OrderCompleted needs the claim time for making time',
        type: 'OrderManager.OrderCompleted',
        input: without('OrderManager.OrderCompleted', 'claimedAt'),
        expected: 'claimedAt',
      },
      {
        name: 'OrderCompleted needs the creation time',
        type: 'OrderManager.OrderCompleted',
        input: without('OrderManager.OrderCompleted', 'createdAt'),
        expected: 'createdAt',
      },
      {
        name: 'OrderCancelled accepts a barista cancelling a claimed order',
        type: 'OrderManager.OrderCancelled',
        input: {
          ...valid['OrderManager.OrderCancelled'],
          reason: 'CANCELLED_BY_BARISTA',
          cancelledBy: 'barista-sub',
          previousStatus: 'IN_PROGRESS',
          baristaId: 'barista-sub',
        },
        expected: 'valid',
      },
      {
        name: 'OrderCancelled rejects a timeout reason',
        type: 'OrderManager.OrderCancelled',
        input: { ...valid['OrderManager.OrderCancelled'], reason: 'BARISTA_TIMEOUT' },
        expected: 'reason',
      },
      {
        name: 'OrderCancelled rejects a terminal previous status',
        type: 'OrderManager.OrderCancelled',
        input: { ...valid['OrderManager.OrderCancelled'], previousStatus: 'COMPLETED' },
        expected: 'previousStatus',
      },
      {
        name: 'OrderCancelled needs who cancelled',
        type: 'OrderManager.OrderCancelled',
        input: without('OrderManager.OrderCancelled', 'cancelledBy'),
        expected: 'cancelledBy',
      },
      {
        name: 'ConfigChanged accepts a closing shop',
        type: 'ConfigService.ConfigChanged',
        input: {
          ...valid['ConfigService.ConfigChanged'],
          change: 'CLOSED',
          open: false,
          config: { ...publicConfig, open: false },
        },
        expected: 'valid',
      },
      {
        name: 'ConfigChanged rejects an unknown change',
        type: 'ConfigService.ConfigChanged',
        input: { ...valid['ConfigService.ConfigChanged'], change: 'DELETED' },
        expected: 'change',
      },
      {
        name: 'ConfigChanged rejects an open flag that contradicts the config',
        type: 'ConfigService.ConfigChanged',
        input: { ...valid['ConfigService.ConfigChanged'], change: 'UPDATED', open: false },
        expected: 'open',
      },
      {
        name: 'ConfigChanged rejects OPENED for a closed shop',
        type: 'ConfigService.ConfigChanged',
        input: {
          ...valid['ConfigService.ConfigChanged'],
          open: false,
          config: { ...publicConfig, open: false },
        },
        expected: 'change',
      },
      {
        name: 'ConfigChanged rejects the config of another shop',
        type: 'ConfigService.ConfigChanged',
        input: {
          ...valid['ConfigService.ConfigChanged'],
          config: { ...publicConfig, shopId: 'deli' },
        },
        expected: 'config.shopId',
      },
      {
        name: 'ConfigChanged rejects config version 0',
        type: 'ConfigService.ConfigChanged',
        input: { ...valid['ConfigService.ConfigChanged'], configVersion: 0 },
        expected: 'configVersion',
      },
      {
        name: 'ConfigChanged rejects admin-only limits in the public config',
        type: 'ConfigService.ConfigChanged',
        input: {
          ...valid['ConfigService.ConfigChanged'],
          config: { ...publicConfig, limits: { maxOrdersPerCustomerPerDay: 3, maxOpenOrders: 20 } },
        },
        expected: 'config.limits.maxOpenOrders',
      },
      {
        name: 'ConfigChanged rejects the reference NewImage',
        type: 'ConfigService.ConfigChanged',
        input: { version: 1, shopId: 'cafe', at: T0, NewImage: { PK: { S: 'config-cafe' } } },
        expected: 'change',
      },
    ];
    cases.forEach((c) => {
      it(c.name, () => {
        expect(fieldOf(c.type, c.input)).to.equal(c.expected);
      });
    });
  });

  describe('buildEventEntry', () => {
    it('builds a PutEvents entry with source, detail-type, JSON detail and bus', () => {
      const entry = buildEventEntry(
        'OrderManager.OrderClaimed',
        valid['OrderManager.OrderClaimed'],
        'espresso-dev',
      );
      expect({ ...entry, Detail: JSON.parse(entry.Detail) }).to.deep.equal({
        Source: 'espresso.orders',
        DetailType: 'OrderManager.OrderClaimed',
        Detail: valid['OrderManager.OrderClaimed'],
        EventBusName: 'espresso-dev',
      });
      expect(entry.Detail).to.be.a('string');
    });

    it('puts config events from espresso.config', () => {
      expect(
        buildEventEntry('ConfigService.ConfigChanged', valid['ConfigService.ConfigChanged'], 'bus')
          .Source,
      ).to.equal('espresso.config');
    });

    it('writes the parsed detail, defaults included', () => {
      const config = {
        ...publicConfig,
        menu: [{ drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true }],
      };
      const entry = buildEventEntry(
        'ConfigService.ConfigChanged',
        { ...valid['ConfigService.ConfigChanged'], config },
        'bus',
      );
      expect(JSON.parse(entry.Detail).config.menu[0].modifiers).to.deep.equal([]);
    });

    it('throws a ZodError naming the field for an invalid detail', () => {
      const detail = { ...valid['OrderProcessor.WaitingCompletion'], orderNumber: 0 };
      expect(() => buildEventEntry('OrderProcessor.WaitingCompletion', detail, 'bus'))
        .to.throw(z.ZodError)
        .with.property('issues')
        .that.satisfies(
          (issues: z.core.$ZodIssue[]) => issues[0]?.path.join('.') === 'orderNumber',
        );
    });

    it('refuses to put a task token on the bus', () => {
      const detail = { ...valid['OrderProcessor.WorkflowStarted'], taskToken: 'secret' };
      expect(() => buildEventEntry('OrderProcessor.WorkflowStarted', detail, 'bus')).to.throw(
        z.ZodError,
        /taskToken/,
      );
    });

    it('refuses an unknown detail-type', () => {
      const type = 'OrderManager.MakeOrder' as DetailType;
      expect(() => buildEventEntry(type, valid['OrderManager.OrderClaimed'], 'bus')).to.throw(
        /unknown detail-type OrderManager.MakeOrder/,
      );
    });

    it('refuses an empty bus name', () => {
      expect(() => buildEventEntry('Validator.NewOrder', valid['Validator.NewOrder'], '')).to.throw(
        /busName/,
      );
    });
  });

  describe('parseEventDetail', () => {
    it('returns the typed detail', () => {
      const detail = parseEventDetail(
        'OrderManager.OrderCompleted',
        JSON.parse(JSON.stringify(valid['OrderManager.OrderCompleted'])),
      );
      expect(detail.claimedAt).to.equal(T2);
      expect(detail).to.deep.equal(valid['OrderManager.OrderCompleted']);
    });

    it('drops fields a newer producer added, so older consumers keep working', () => {
      const detail = parseEventDetail('OrderManager.OrderPlaced', {
        ...valid['OrderManager.OrderPlaced'],
        priority: 'high',
      });
      expect(detail).to.deep.equal(valid['OrderManager.OrderPlaced']);
    });

    it('drops a task token that reached it rather than passing it on', () => {
      const detail = parseEventDetail('OrderProcessor.WaitingCompletion', {
        ...valid['OrderProcessor.WaitingCompletion'],
        TaskToken: 'secret',
      });
      expect(detail).to.not.have.property('TaskToken');
    });

    it('still applies the rules of the schema', () => {
      const detail = { ...valid['ConfigService.ConfigChanged'], open: false };
      expect(() => parseEventDetail('ConfigService.ConfigChanged', detail)).to.throw(
        z.ZodError,
        /config\.open/,
      );
    });

    it('throws on a detail of the wrong shape', () => {
      expect(() =>
        parseEventDetail('OrderProcessor.OrderTimedOut', {
          ...valid['OrderProcessor.OrderTimedOut'],
          stage: 'LATE',
        }),
      ).to.throw(z.ZodError);
    });

    it('throws on an unknown detail-type', () => {
      expect(() => parseEventDetail('Nope.Nothing' as DetailType, {})).to.throw(
        /unknown detail-type/,
      );
    });
  });

  describe('parseBusEvent', () => {
    const envelope = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'OrderProcessor.OrderFinished',
      source: 'espresso.orders',
      account: '123456789012',
      time: '2024-05-01T09:06:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: valid['OrderProcessor.OrderFinished'],
    };

    it('returns id, time, source, detail-type and the parsed detail', () => {
      const event = parseBusEvent(envelope);
      expect(event).to.deep.equal({
        id: envelope.id,
        time: envelope.time,
        source: 'espresso.orders',
        detailType: 'OrderProcessor.OrderFinished',
        detail: valid['OrderProcessor.OrderFinished'],
      });
      if (event.detailType === 'OrderProcessor.OrderFinished')
        expect(event.detail.outcome).to.equal('COMPLETED');
    });

    [
      {
        name: 'rejects an event from another source',
        input: { ...envelope, source: 'espresso.config' },
        expected: /must come from espresso.orders/,
      },
      {
        name: 'rejects an unknown detail-type',
        input: { ...envelope, 'detail-type': 'OrderManager.WaitingCompletion' },
        expected: /unknown detail-type/,
      },
      {
        name: 'rejects an event without an id',
        input: { ...envelope, id: undefined },
        expected: /id/,
      },
      {
        name: 'rejects an invalid detail',
        input: {
          ...envelope,
          detail: { ...valid['OrderProcessor.OrderFinished'], outcome: 'DONE' },
        },
        expected: /outcome/,
      },
      {
        name: 'rejects something that is not an event',
        input: 'OrderProcessor.OrderFinished',
        expected: /expected object/,
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(() => parseBusEvent(c.input)).to.throw(c.expected);
      });
    });
  });

  describe('internal token hand-off', () => {
    [
      {
        name: 'accepts the customer wait with its token',
        schema: WorkflowStartedInternalSchema,
        input: { ...valid['OrderProcessor.WorkflowStarted'], taskToken: 'AQCE' },
        expected: 'valid',
      },
      {
        name: 'requires the token for the customer wait',
        schema: WorkflowStartedInternalSchema,
        input: valid['OrderProcessor.WorkflowStarted'],
        expected: 'taskToken',
      },
      {
        name: 'accepts the barista wait with its token',
        schema: WaitingCompletionInternalSchema,
        input: { ...valid['OrderProcessor.WaitingCompletion'], taskToken: 'AQCE' },
        expected: 'valid',
      },
      {
        name: 'rejects an empty token for the barista wait',
        schema: WaitingCompletionInternalSchema,
        input: { ...valid['OrderProcessor.WaitingCompletion'], taskToken: '' },
        expected: 'taskToken',
      },
    ].forEach((c) => {
      it(c.name, () => {
        const result = c.schema.safeParse(c.input);
        expect(result.success ? 'valid' : describeZodError(result.error).field).to.equal(
          c.expected,
        );
      });
    });

    it('are not detail-types on the bus', () => {
      const schemas: unknown[] = Object.values(EVENT_DETAIL_SCHEMAS);
      expect(schemas).to.not.include(WorkflowStartedInternalSchema);
      expect(schemas).to.not.include(WaitingCompletionInternalSchema);
    });
  });

  describe('ORDER_EVENT_STATUS', () => {
    it('gives a status for every order event whose type fixes it', () => {
      const expected = ORDER_TYPES.filter((t) => t !== 'OrderProcessor.OrderFinished');
      expect(Object.keys(ORDER_EVENT_STATUS)).to.have.members(expected);
    });

    [
      { type: 'OrderProcessor.ShopUnavailable', status: 'REJECTED' },
      { type: 'OrderManager.OrderUnclaimed', status: 'QUEUED' },
      { type: 'OrderManager.OrderClaimed', status: 'IN_PROGRESS' },
      { type: 'OrderManager.OrderCompleted', status: 'COMPLETED' },
    ].forEach((c) => {
      it(`puts an order in ${c.status} after ${c.type}`, () => {
        expect(ORDER_EVENT_STATUS[c.type as keyof typeof ORDER_EVENT_STATUS]).to.equal(c.status);
        expect(ORDER_STATUSES).to.include(c.status);
      });
    });
  });
});
