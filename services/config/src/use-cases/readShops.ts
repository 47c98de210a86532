import { forbidden, notFound } from '@espresso/runtime';
import {
  type Identity,
  type PublicShopConfig,
  type ShopSummary,
  toPublicShopConfig,
} from '@espresso/schemas';
import { listableShops } from '../domain/access';
import type { Ports } from './ports';

/** What reading shops needs: the shops table only. */
type ShopReads = Pick<Ports, 'shops'>;

/** Anyone (signed in or not) reads what a customer needs of a shop. */
export const getPublicShopConfig = async (
  ports: ShopReads,
  shopId: string,
): Promise<PublicShopConfig> => {
  const config = await ports.shops.get(shopId);
  if (!config) throw notFound(`shop ${shopId} does not exist`);
  return toPublicShopConfig(config);
};

/** An admin lists the shops they manage (all of them with the `*` shop claim). */
export const listShops = async (ports: ShopReads, identity: Identity): Promise<ShopSummary[]> => {
  const scope = listableShops(identity);
  if (scope === 'none') throw forbidden('requires the admin role');
  const shops = await ports.shops.list();
  return scope === 'all' ? shops : shops.filter((shop) => shop.shopId === scope.only);
};
