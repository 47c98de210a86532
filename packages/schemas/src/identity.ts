import * as z from 'zod';

/** Cognito groups that grant staff roles. Any signed-in user is also a customer. */
export const GroupSchema = z.enum(['admin', 'barista', 'display']);
export type Group = z.infer<typeof GroupSchema>;

export const RoleSchema = z.enum(['customer', 'barista', 'admin', 'display']);
export type Role = z.infer<typeof RoleSchema>;

/** The custom attribute (ID-token claim) holding the shop a staff member belongs to; `*` = every shop. */
export const SHOP_CLAIM = 'custom:shopId';
export const ALL_SHOPS = '*';

/**
 * `cognito:groups` as it reaches a handler: an array (the token itself, serverless offline),
 * or a string: API Gateway HTTP APIs flatten arrays to `[admin barista]`.
 */
const GroupsClaimSchema = z.union([z.array(z.string()), z.string()]).transform((value) =>
  Array.isArray(value)
    ? value
    : value
        .replace(/^\[|\]$/g, '')
        .split(/[\s,]+/)
        .filter((g) => g.length > 0),
);

/** The JWT claims a handler reads from the authorizer: the only source of identity. */
export const ClaimsSchema = z.object({
  sub: z.string().min(1),
  'cognito:groups': GroupsClaimSchema.optional(),
  [SHOP_CLAIM]: z.string().optional(),
});

export interface Identity {
  sub: string;
  groups: Group[];
  /** The shop a staff member belongs to, `*` for every shop, undefined for a plain customer. */
  shopId: string | undefined;
}

export const identityFromClaims = (claims: unknown): Identity | undefined => {
  const parsed = ClaimsSchema.safeParse(claims);
  if (!parsed.success) return undefined;
  const groups = (parsed.data['cognito:groups'] ?? []).filter(
    (g): g is Group => GroupSchema.safeParse(g).success,
  );
  return { sub: parsed.data.sub, groups, shopId: parsed.data[SHOP_CLAIM] || undefined };
};

/** True when the identity holds `group` for `shopId` (its shop claim is that shop or `*`). */
export const hasShopRole = (identity: Identity, group: Group, shopId: string): boolean =>
  identity.groups.includes(group) && (identity.shopId === shopId || identity.shopId === ALL_SHOPS);
