import type { PutShopConfigBodySchema, ShopConfig } from '@espresso/schemas';
import type * as z from 'zod';

export type ShopConfigInput = z.output<typeof PutShopConfigBodySchema>;
export type ConfigChange = 'CREATED' | 'UPDATED' | 'OPENED' | 'CLOSED';

/** The stored config after an admin's whole-config PUT: a new version, creation time kept. */
export const applyConfig = (
  existing: ShopConfig | undefined,
  shopId: string,
  input: ShopConfigInput,
  now: string,
): ShopConfig => ({
  shopId,
  name: input.name,
  open: input.open,
  menu: input.menu,
  limits: input.limits,
  timeouts: input.timeouts,
  version: (existing?.version ?? 0) + 1,
  createdAt: existing?.createdAt ?? now,
  updatedAt: now,
});

const withoutMeta = ({ version, updatedAt, createdAt, open, ...rest }: ShopConfig) => rest;

/** What kind of change `after` is: a new shop, only the open flag flipped, or anything else. */
export const changeOf = (before: ShopConfig | undefined, after: ShopConfig): ConfigChange => {
  if (!before) return 'CREATED';
  const onlyOpenFlag =
    before.open !== after.open &&
    JSON.stringify(withoutMeta(before)) === JSON.stringify(withoutMeta(after));
  if (onlyOpenFlag) return after.open ? 'OPENED' : 'CLOSED';
  return 'UPDATED';
};
