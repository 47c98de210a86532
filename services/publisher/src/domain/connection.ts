import {
  ALL_SHOPS,
  describeGroups,
  type Group,
  groupsFor,
  holdsPermission,
  type Identity,
  mayInShop,
  type Permission,
} from '@espresso/schemas';
import * as z from 'zod';

/*
 * Who a connection is and what it watches. The token decides: a display watches its shop's
 * board, a barista or admin its shop's queue, anyone else their own orders. A staff member may
 * ask for a narrower view (`view=display`, or `view=customer` for their own orders); an admin
 * of every shop (`*`) picks the shop to watch at connect (`shopId=`) or with `subscribe`.
 */

export const ViewSchema = z.enum(['staff', 'display', 'customer']);
export type View = z.infer<typeof ViewSchema>;

/** A connection as the connections table keeps it. */
export interface Connection {
  connectionId: string;
  /** Who connected, from the verified token: its `sub`, groups and shop claim (`*` = every shop). */
  sub: string;
  groups: Group[];
  shopClaim?: string;
  view: View;
  /** The shop whose screens this connection is one of (staff, display, or a customer's public view). */
  shopId?: string;
  /** Epoch seconds after which the connection is gone (the table's TTL attribute). */
  expiresAt: number;
  connectedAt: string;
}

/** Why a connection or subscription is refused: `status` is what `$connect` answers. */
export class Refused extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
}

/** API Gateway closes any WebSocket connection after two hours; the TTL adds a margin. */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60 + 5 * 60;

/** The permission each staff view needs (the customer view needs none). */
const VIEW_PERMISSIONS: Record<Exclude<View, 'customer'>, Permission> = {
  staff: 'updates.view-staff',
  display: 'updates.view-display',
};

/** The view a token gets by default: the most a screen of its role shows. */
export const defaultView = (identity: Identity): View => {
  if (holdsPermission(identity, VIEW_PERMISSIONS.staff)) return 'staff';
  if (holdsPermission(identity, VIEW_PERMISSIONS.display)) return 'display';
  return 'customer';
};

/** True when `identity` may watch `shopId` with `view` (customers watch any shop's public view). */
export const mayWatch = (identity: Identity, view: View, shopId: string): boolean =>
  view === 'customer' || mayInShop(identity, VIEW_PERMISSIONS[view], shopId);

/**
 * The view and shop of a new connection, from the verified identity and what the client asked
 * (`view`, `shopId` in the query string). Throws `Refused` (403) for a view or shop the token
 * does not grant.
 */
export const resolveWatch = (
  identity: Identity,
  requested: { view?: View; shopId?: string },
): { view: View; shopId?: string } => {
  const view = requested.view ?? defaultView(identity);
  if (view !== 'customer' && !holdsPermission(identity, VIEW_PERMISSIONS[view])) {
    const groups = describeGroups(groupsFor(VIEW_PERMISSIONS[view]));
    throw new Refused(403, `the ${view} view requires the ${groups} role`);
  }
  const shopId =
    requested.shopId ??
    (view !== 'customer' && identity.shopId !== ALL_SHOPS ? identity.shopId : undefined);
  if (shopId !== undefined && !mayWatch(identity, view, shopId)) {
    throw new Refused(403, `the ${view} view of shop ${shopId} is not granted to this token`);
  }
  return { view, ...(shopId === undefined ? {} : { shopId }) };
};

/**
 * The connection record for a verified identity. It lives as long as API Gateway keeps the
 * connection (two hours at most): the token is checked once, at connect, as API Gateway's own
 * authorizers do; a client reconnects with a fresh token.
 */
export const newConnection = (
  connectionId: string,
  identity: Identity,
  watch: { view: View; shopId?: string },
  now: Date,
): Connection => ({
  connectionId,
  sub: identity.sub,
  groups: identity.groups,
  ...(identity.shopId === undefined ? {} : { shopClaim: identity.shopId }),
  view: watch.view,
  ...(watch.shopId === undefined ? {} : { shopId: watch.shopId }),
  expiresAt: Math.floor(now.getTime() / 1000) + MAX_CONNECTION_SECONDS,
  connectedAt: now.toISOString(),
});

/** The identity a connection was opened with, as `mayWatch` reads it. */
export const identityOf = (connection: Connection): Identity => ({
  sub: connection.sub,
  groups: connection.groups,
  shopId: connection.shopClaim,
});
