import type { DetailType } from '../events';

/*
 * One realistic detail per detail-type, with every optional field set. The contract test
 * derives the details a producer may emit from these (this example cut to the fields the
 * producer's schema has now, and the same with only its required fields) and parses them with
 * every consumer's schema. Keep each one valid for its schema (a test says when it is not).
 */

const T0 = '2024-05-01T09:00:00.000Z';
const T1 = '2024-05-01T09:01:00.000Z';
const T2 = '2024-05-01T09:03:00.000Z';
const T3 = '2024-05-01T09:06:00.000Z';

const order = {
  version: 1,
  shopId: 'cafe',
  orderId: 'V1StGXR8_Z5jdHi6B-myT',
  customerId: 'customer-sub',
};

export type EventExamples = Record<DetailType, Record<string, unknown>>;

export const EVENT_EXAMPLES: EventExamples = {
  'Validator.NewOrder': { ...order, at: T0, remaining: 9, codeExpiresAt: T1 },
  'OrderProcessor.WorkflowStarted': { ...order, at: T0, timeoutSeconds: 300 },
  'OrderProcessor.ShopUnavailable': { ...order, at: T0, reason: 'AT_CAPACITY' },
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
    orderNumber: 12,
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
    reason: 'CANCELLED_BY_BARISTA',
    cancelledBy: 'barista-sub',
    previousStatus: 'IN_PROGRESS',
    orderNumber: 12,
    drinkId: 'latte',
    baristaId: 'barista-sub',
  },
  'ConfigService.ConfigChanged': {
    version: 1,
    shopId: 'cafe',
    at: T0,
    change: 'OPENED',
    open: true,
    configVersion: 5,
    config: {
      shopId: 'cafe',
      name: 'Café',
      open: true,
      menu: [
        {
          drinkId: 'latte',
          name: 'Latte',
          icon: 'latte',
          modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
          available: true,
        },
      ],
      limits: { maxOrdersPerCustomerPerDay: 3 },
      timeouts: { customerSeconds: 300 },
      updatedAt: T0,
    },
  },
};
