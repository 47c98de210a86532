import {
  describeGroups,
  type Group,
  groupsFor,
  hasShopRole,
  type Identity,
  identityFromClaims,
  type Permission,
} from '@espresso/schemas';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { forbidden, unauthorized } from './errors';

interface JwtRequestContext {
  authorizer?: { jwt?: { claims?: unknown } };
}

/**
 * The caller, from the JWT authorizer's claims only (never a body or query field).
 * Throws 401 when the route was reached without verified claims.
 */
export const requireIdentity = (event: APIGatewayProxyEventV2): Identity => {
  const context = event.requestContext as APIGatewayProxyEventV2['requestContext'] &
    JwtRequestContext;
  const identity = identityFromClaims(context.authorizer?.jwt?.claims);
  if (!identity) throw unauthorized();
  return identity;
};

/** Throws 403 unless the caller holds one of `groups` for `shopId`. */
export const requireShopRole = (
  identity: Identity,
  groups: readonly Group[],
  shopId: string,
): void => {
  if (!groups.some((group) => hasShopRole(identity, group, shopId))) {
    throw forbidden(`requires the ${describeGroups(groups)} role for shop ${shopId}`);
  }
};

/** Throws 403 unless the permission table lets the caller do `permission` in `shopId`. */
export const requirePermission = (
  identity: Identity,
  permission: Permission,
  shopId: string,
): void => requireShopRole(identity, groupsFor(permission), shopId);
