import { expect } from 'chai';
import {
  ConnectionItemSchema,
  CounterItemSchema,
  MetricsDayItemSchema,
  QrBucketItemSchema,
} from './items';

const AT = '2026-11-25T10:00:00.000Z';

describe('table item schemas', () => {
  [
    {
      name: 'accepts a QR bucket',
      schema: QrBucketItemSchema,
      input: {
        shopId: 'demo',
        bucket: 5_880_000,
        code: 'Abcdefghij',
        expiresAt: AT,
        remaining: 3,
        ttl: 1,
      },
      expected: true,
    },
    {
      name: 'refuses a QR bucket counted below zero',
      schema: QrBucketItemSchema,
      input: { shopId: 'demo', bucket: 1, code: 'A', expiresAt: AT, remaining: -1, ttl: 1 },
      expected: false,
    },
    {
      name: 'accepts the open-orders counter',
      schema: CounterItemSchema,
      input: { shopId: 'demo', counter: 'OPEN_ORDERS', value: 0 },
      expected: true,
    },
    {
      name: 'accepts a customer’s daily counter with its expiry',
      schema: CounterItemSchema,
      input: { shopId: 'demo', counter: 'CUSTOMER#u1#DAY#2026-11-25', value: 2, ttl: 99 },
      expected: true,
    },
    {
      name: 'refuses a counter nobody writes',
      schema: CounterItemSchema,
      input: { shopId: 'demo', counter: 'SOMETHING', value: 1 },
      expected: false,
    },
    {
      name: 'refuses a negative open-orders count',
      schema: CounterItemSchema,
      input: { shopId: 'demo', counter: 'OPEN_ORDERS', value: -1 },
      expected: false,
    },
    {
      name: 'accepts a customer connection',
      schema: ConnectionItemSchema,
      input: {
        connectionId: 'c1',
        sub: 'u1',
        groups: [],
        view: 'customer',
        ownerId: 'u1',
        expiresAt: 1,
        connectedAt: AT,
      },
      expected: true,
    },
    {
      name: 'refuses a connection with a view nobody has',
      schema: ConnectionItemSchema,
      input: {
        connectionId: 'c1',
        sub: 'u1',
        groups: [],
        view: 'root',
        expiresAt: 1,
        connectedAt: AT,
      },
      expected: false,
    },
    {
      name: 'accepts a metrics day with its markers and counters',
      schema: MetricsDayItemSchema,
      input: {
        shopId: 'demo',
        day: '2026-11-25',
        applied: new Set(['o1']),
        updatedAt: AT,
        '10|o|COMPLETED': 1,
        '10|w|': 1200,
      },
      expected: true,
    },
    {
      name: 'refuses a metrics day with an attribute that is not a counter',
      schema: MetricsDayItemSchema,
      input: { shopId: 'demo', day: '2026-11-25', applied: [], updatedAt: AT, stray: 1 },
      expected: false,
    },
  ].forEach((c) => {
    it(c.name, () => {
      expect(c.schema.safeParse(c.input).success).to.equal(c.expected);
    });
  });
});
