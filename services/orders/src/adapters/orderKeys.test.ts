import { describeZodError, type Order, type OrderItem } from '@espresso/schemas';
import { expect } from 'chai';
import { ORDERS_TABLE_INDEXES, orderItemKeys, StoredOrderSchema, withKeys } from './orderKeys';

const T0 = '2024-05-01T09:00:00.000Z';
const T1 = '2024-05-01T09:01:00.000Z';
const T2 = '2024-05-01T09:03:00.000Z';
const T3 = '2024-05-01T09:06:00.000Z';

const awaiting: Order = {
  orderId: 'V1StGXR8_Z5jdHi6B-myT',
  shopId: 'cafe',
  status: 'AWAITING_SELECTION',
  customerId: 'customer-sub',
  createdAt: T0,
  updatedAt: T0,
};
const completed: Order = {
  ...awaiting,
  status: 'COMPLETED',
  orderNumber: 12,
  drinkId: 'latte',
  modifiers: { Milk: 'Oat' },
  baristaId: 'barista-sub',
  updatedAt: T3,
};
const itemOf = (order: Order, extra: Partial<OrderItem> = {}): OrderItem => ({
  ...order,
  ...extra,
  ...orderItemKeys({ ...order, ...extra }),
});

/** `valid`, or the field the first issue names. */
const fieldOf = (input: unknown): string => {
  const result = StoredOrderSchema.safeParse(input);
  return result.success ? 'valid' : describeZodError(result.error).field;
};

describe('orders table keys (the adapter’s storage layout)', () => {
  it('keys an order by shop and order id, indexes it by status and by customer', () => {
    expect(orderItemKeys(awaiting)).to.deep.equal({
      pk: 'SHOP#cafe',
      sk: 'ORDER#V1StGXR8_Z5jdHi6B-myT',
      gsi1pk: 'SHOP#cafe#STATUS#AWAITING_SELECTION',
      gsi1sk: `${T0}#V1StGXR8_Z5jdHi6B-myT`,
      gsi2pk: 'CUSTOMER#customer-sub',
      gsi2sk: `${T0}#V1StGXR8_Z5jdHi6B-myT`,
    });
  });

  it('sorts the status index by the time the order was placed once it was', () => {
    const keys = orderItemKeys({ ...completed, submittedAt: T1 });
    expect(keys.gsi1pk).to.equal('SHOP#cafe#STATUS#COMPLETED');
    expect(keys.gsi1sk).to.equal(`${T1}#V1StGXR8_Z5jdHi6B-myT`);
    expect(keys.gsi2sk).to.equal(`${T0}#V1StGXR8_Z5jdHi6B-myT`);
  });

  it('names the index attributes', () => {
    expect(ORDERS_TABLE_INDEXES).to.deep.equal({
      byStatus: { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      byCustomer: { name: 'byCustomer', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    });
  });

  it('adds the keys to an order the use cases built without them', () => {
    expect(withKeys(awaiting)).to.deep.equal(itemOf(awaiting));
  });

  describe('StoredOrderSchema', () => {
    const stored = itemOf(completed, {
      customerTaskToken: 'token-1',
      baristaTaskToken: 'token-2',
      submittedAt: T1,
      claimedAt: T2,
      finishedAt: T3,
      slot: 'RELEASED',
    });
    [
      { name: 'accepts a finished item with its keys', input: stored, expected: 'valid' },
      {
        name: 'rejects a partition key of another shop',
        input: { ...stored, pk: 'SHOP#deli' },
        expected: 'pk',
      },
      {
        name: 'rejects a sort key of another order',
        input: { ...stored, sk: 'ORDER#other' },
        expected: 'sk',
      },
      {
        name: 'rejects a status index key left behind by a status change',
        input: { ...stored, gsi1pk: 'SHOP#cafe#STATUS#IN_PROGRESS' },
        expected: 'gsi1pk',
      },
      {
        name: 'rejects a status sort key that ignores the submit time',
        input: { ...stored, gsi1sk: `${T0}#${stored.orderId}` },
        expected: 'gsi1sk',
      },
      {
        name: 'rejects a customer index key of another customer',
        input: { ...stored, gsi2pk: 'CUSTOMER#someone' },
        expected: 'gsi2pk',
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(fieldOf(c.input)).to.equal(c.expected);
      });
    });
  });
});
