import { ALL_SHOPS, holdsPermission, type Identity } from '@espresso/schemas';

/**
 * Which shops an admin may list: every shop for a platform admin (shop claim `*`),
 * otherwise the one in their shop claim; nothing for anyone else.
 */
export const listableShops = (identity: Identity): 'all' | 'none' | { only: string } => {
  if (!holdsPermission(identity, 'shops.list') || identity.shopId === undefined) return 'none';
  return identity.shopId === ALL_SHOPS ? 'all' : { only: identity.shopId };
};
