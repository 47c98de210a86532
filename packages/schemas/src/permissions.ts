import { type Group, hasShopRole, type Identity } from './identity';

/**
 * Who may do what: the one permission table (staff role × action) every service and the
 * publisher look up. Each action lists the groups that grant it, in the order a refusal names
 * them; the group counts only for the shop in the caller's shop claim (`*` = every shop). Any
 * signed-in user is also a customer: placing an order, choosing its drink, reading and
 * cancelling one's own orders need no entry here (the use cases check ownership).
 */
export const PERMISSIONS = {
  /** Read any order of the shop (and its journey), not only one's own. */
  'order.view-any': ['barista', 'admin', 'display'],
  /** Read the shop's queue: queued, in progress, ready. */
  'queue.view': ['barista', 'display', 'admin'],
  'order.claim': ['barista', 'admin'],
  /** Put an order one holds back in the queue. */
  'order.unclaim': ['barista', 'admin'],
  'order.complete': ['barista', 'admin'],
  /** Cancel any order of the shop at any time before it ends (a customer: their own, until claimed). */
  'order.cancel-any': ['barista', 'admin'],
  /** Unclaim or complete an order another barista holds. */
  'order.take-over': ['admin'],
  /** Show the shop's current QR code. */
  'qr.show': ['display', 'admin'],
  'shop.open-close': ['barista', 'admin'],
  /** Save the shop's config: name, menu, limits, timeouts. */
  'shop.configure': ['admin'],
  /** List the shops one manages (every shop with the `*` claim). */
  'shops.list': ['admin'],
  'metrics.read': ['barista', 'admin'],
  /** Live updates: the staff view of a shop (the queue, with customer and barista ids). */
  'updates.view-staff': ['barista', 'admin'],
  /** Live updates: the display view of a shop (the board: nothing personal). */
  'updates.view-display': ['display', 'barista', 'admin'],
} as const satisfies Record<string, readonly Group[]>;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** The groups that grant `permission`. */
export const groupsFor = (permission: Permission): readonly Group[] => PERMISSIONS[permission];

/** True when the identity may do `permission` in `shopId`. */
export const mayInShop = (identity: Identity, permission: Permission, shopId: string): boolean =>
  groupsFor(permission).some((group) => hasShopRole(identity, group, shopId));

/** True when the identity holds a group granting `permission`, whatever its shop claim. */
export const holdsPermission = (identity: Identity, permission: Permission): boolean =>
  groupsFor(permission).some((group) => identity.groups.includes(group));

/** Groups as a refusal names them: `admin`, `barista or admin`, `barista, display or admin`. */
export const describeGroups = (groups: readonly Group[]): string =>
  groups.length <= 1
    ? groups.join('')
    : `${groups.slice(0, -1).join(', ')} or ${groups[groups.length - 1]}`;

/** Why a caller without `permission` in `shopId` is refused (the 403's message). */
export const missingPermission = (permission: Permission, shopId: string): string =>
  `requires the ${describeGroups(groupsFor(permission))} role for shop ${shopId}`;
