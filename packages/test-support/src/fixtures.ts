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

/**
 * The config service's outputs for the stage `tpl`, as compose passes them to the services
 * that depend on it: what their template tests package with.
 */
export const CONFIG_OUTPUT_PARAMS = {
  eventBusName: 'espresso-config-tpl-bus',
  eventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/espresso-config-tpl-bus',
  shopsTableName: 'espresso-config-tpl-shops',
  shopsTableArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/espresso-config-tpl-shops',
  issuerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test',
  jwtAudience: 'client',
} as const;
