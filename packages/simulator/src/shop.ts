import {
  type Menu,
  type PublicShopConfig,
  PublicShopConfigSchema,
  type PutShopConfigBody,
} from '@espresso/schemas';
import type { Http } from './http';
import type { Target } from './target';

/** A menu like the demo shop's: drinks with modifier groups, for shops the simulator creates. */
export const SIM_MENU: Menu = [
  {
    drinkId: 'espresso',
    name: 'Espresso',
    icon: 'espresso',
    available: true,
    modifiers: [{ name: 'Shots', options: ['Single', 'Double'] }],
  },
  {
    drinkId: 'latte',
    name: 'Latte',
    icon: 'latte',
    available: true,
    modifiers: [
      { name: 'Size', options: ['Small', 'Large'] },
      { name: 'Milk', options: ['Regular', 'Oat', 'Soy'] },
    ],
  },
  {
    drinkId: 'flat-white',
    name: 'Flat White',
    icon: 'flat-white',
    available: true,
    modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
  },
  { drinkId: 'tea', name: 'Tea', icon: 'tea', available: true, modifiers: [] },
];

/** A busy shop's config: limits high enough that only the timeouts and capacity given bite. */
export const simShopConfig = (
  overrides: {
    name?: string;
    customerSeconds?: number;
    baristaSeconds?: number;
    maxOpenOrders?: number;
  } = {},
): PutShopConfigBody => ({
  name: overrides.name ?? 'Simulated bar',
  open: true,
  menu: SIM_MENU,
  limits: {
    ordersPerCode: 1000,
    codeTtlSeconds: 3600,
    maxOpenOrders: overrides.maxOpenOrders ?? 1000,
    maxOrdersPerCustomerPerDay: 100,
  },
  timeouts: {
    customerSeconds: overrides.customerSeconds ?? 300,
    baristaSeconds: overrides.baristaSeconds ?? 900,
  },
});

/** Creates or replaces a shop's config through the config API, as an admin of the shop. */
export const putShop = async (
  target: Target,
  http: Http,
  shopId: string,
  config: PutShopConfigBody,
): Promise<void> => {
  const token = await target.token({ role: 'admin', shopId, sub: `sim-admin-${shopId}` });
  const res = await http(
    target.config,
    'PUT',
    `/shops/${shopId}/config`,
    '/shops/{shopId}/config',
    {
      token,
      body: config,
    },
  );
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`PUT config of ${shopId}: ${res.status} ${JSON.stringify(res.body)}`);
  }
};

/** The shop's public config (menu, customer timeout); undefined for an unknown shop. */
export const readShop = async (
  target: Target,
  http: Http,
  shopId: string,
): Promise<PublicShopConfig | undefined> => {
  const res = await http(target.config, 'GET', `/shops/${shopId}/config`, '/shops/{shopId}/config');
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET config of ${shopId}: ${res.status}`);
  return PublicShopConfigSchema.parse(res.body);
};

/** A valid choice from the menu: an available drink and one option of each of its groups. */
export const chooseDrink = (menu: Menu, random: () => number) => {
  const available = menu.filter((d) => d.available);
  const drink = available[Math.floor(random() * available.length)];
  if (!drink) throw new Error('the shop has no available drink');
  const modifiers: Record<string, string> = {};
  for (const group of drink.modifiers) {
    const option = group.options[Math.floor(random() * group.options.length)];
    if (option !== undefined) modifiers[group.name] = option;
  }
  return { drinkId: drink.drinkId, modifiers };
};
