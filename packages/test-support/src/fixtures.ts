import type { PutShopConfigBody } from '@espresso/schemas';

type Limits = NonNullable<PutShopConfigBody['limits']>;
type Timeouts = NonNullable<PutShopConfigBody['timeouts']>;

/**
 * A test shop's whole config: open, one latte with a milk choice, room for many orders and
 * long timeouts unless told otherwise.
 */
export const testShopConfig = (
  overrides: {
    name?: string;
    open?: boolean;
    limits?: Partial<Limits>;
    timeouts?: Partial<Timeouts>;
  } = {},
): PutShopConfigBody => ({
  name: overrides.name ?? 'Test bar',
  open: overrides.open ?? true,
  menu: [
    {
      drinkId: 'latte',
      name: 'Latte',
      icon: 'latte',
      available: true,
      modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
    },
  ],
  limits: {
    ordersPerCode: 100,
    codeTtlSeconds: 3600,
    maxOpenOrders: 100,
    maxOrdersPerCustomerPerDay: 100,
    ...overrides.limits,
  },
  timeouts: { customerSeconds: 300, baristaSeconds: 900, ...overrides.timeouts },
});
