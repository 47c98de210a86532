import { type ConfigChangedDetail, ShopConfigSchema, toPublicShopConfig } from '@espresso/schemas';
import type { ConfigBus } from '../adapters/bus';
import { changeOf } from '../domain/shopConfig';

/**
 * The transactional outbox's publisher: a shop item the table's stream shows as written
 * (`before` absent for a new item) is announced as `ConfigService.ConfigChanged`. What the
 * write was comes from the item's `lastChange` (set by the writer in the same write), else it
 * is read off the two images. Delivered at least once: consumers key on `configVersion`.
 */
export const announceConfigChange = async (
  ports: { bus: ConfigBus },
  before: unknown,
  after: unknown,
): Promise<ConfigChangedDetail> => {
  const config = ShopConfigSchema.parse(after);
  const previous = before === undefined ? undefined : ShopConfigSchema.parse(before);
  const detail: ConfigChangedDetail = {
    version: 1,
    shopId: config.shopId,
    at: config.updatedAt,
    change: config.lastChange ?? changeOf(previous, config),
    open: config.open,
    configVersion: config.version,
    config: toPublicShopConfig(config),
  };
  await ports.bus.configChanged(detail);
  return detail;
};
