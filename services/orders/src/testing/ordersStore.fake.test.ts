import { fakePorts, TABLES } from './fakes';
import { ordersStoreContract } from './ordersStoreContract';

// The same cases run against DynamoDB Local in test/ordersStore.dynamodb.test.ts.
ordersStoreContract('in-memory fake', () => {
  const { orders, qrCodes } = fakePorts({ shops: [] });
  return {
    orders,
    qrCodes,
    tables: { ...TABLES },
    putOrder: async (order) => orders.put(order),
    counter: async (shopId, counter) => orders.counter(shopId, counter),
    setCounter: async (shopId, counter, value) => orders.setCounter(shopId, counter, value),
  };
});
