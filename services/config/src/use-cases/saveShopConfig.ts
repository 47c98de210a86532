import { conflict, logger, requirePermission } from '@espresso/runtime';
import type { Identity, ShopConfig } from '@espresso/schemas';
import { VersionConflict } from '../adapters/shopsTable';
import { applyConfig, changeOf, type ShopConfigInput } from '../domain/shopConfig';
import type { Ports } from './ports';

const ATTEMPTS = 3;

/** Only an admin of the shop (or of every shop) may write its config. */
export const authorizeSaveShopConfig = (identity: Identity, shopId: string) =>
  requirePermission(identity, 'shop.configure', shopId);

/**
 * An admin of the shop creates or replaces its whole config. The write is conditional on the
 * version read, so two concurrent writers never lose a creation or a version. The table's
 * stream announces it as `ConfigService.ConfigChanged` (`announceConfigChange`).
 */
export const saveShopConfig = async (
  ports: Ports,
  request: { identity: Identity; shopId: string; input: ShopConfigInput },
): Promise<{ config: ShopConfig; created: boolean }> => {
  const { identity, shopId, input } = request;
  authorizeSaveShopConfig(identity, shopId);
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const existing = await ports.shops.get(shopId);
    const config = applyConfig(existing, shopId, input, ports.now());
    try {
      await ports.shops.put(config, existing?.version, changeOf(existing, config));
    } catch (error) {
      if (error instanceof VersionConflict) {
        logger.warn('shop config changed concurrently; retrying', { shopId, attempt });
        continue;
      }
      throw error;
    }
    return { config, created: existing === undefined };
  }
  throw conflict(`shop ${shopId} is being changed by someone else; try again`);
};
