import { notFound, requirePermission } from '@espresso/runtime';
import { type Identity, type PublicShopConfig, toPublicShopConfig } from '@espresso/schemas';
import type { Ports } from './ports';

/** Only a barista or admin of the shop may open or close it. */
export const authorizeSetShopOpen = (identity: Identity, shopId: string) =>
  requirePermission(identity, 'shop.open-close', shopId);

/**
 * A barista or admin of the shop opens or closes it (a new version each time); the table's
 * stream announces it as `ConfigService.ConfigChanged` with `OPENED` or `CLOSED`.
 */
export const setShopOpen = async (
  ports: Ports,
  request: { identity: Identity; shopId: string; open: boolean },
): Promise<PublicShopConfig> => {
  const { identity, shopId, open } = request;
  authorizeSetShopOpen(identity, shopId);
  const config = await ports.shops.setOpen(shopId, open, ports.now());
  if (!config) throw notFound(`shop ${shopId} does not exist`);
  return toPublicShopConfig(config);
};
