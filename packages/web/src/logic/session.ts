import { type Role, SHOP_CLAIM } from '@espresso/schemas';
import { decodeJwt, type JWTPayload } from 'jose';

/** Who is signed in, read from the ID token's claims. */
export interface Session {
  token: string;
  sub: string;
  role: Role;
  /** The staff member's shop (`*` = every shop); undefined for a customer. */
  shopId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/**
 * The session a token stands for. The app only reads the claims to choose screens; the APIs
 * check the signature and decide what is allowed.
 */
export const sessionFromToken = (token: string): Session | undefined => {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    return undefined;
  }
  const sub = claims.sub;
  const exp = claims.exp;
  if (typeof sub !== 'string' || typeof exp !== 'number') return undefined;
  const rawGroups = claims['cognito:groups'];
  const groups = Array.isArray(rawGroups) ? rawGroups.map(String) : [];
  const role: Role = groups.includes('admin')
    ? 'admin'
    : groups.includes('barista')
      ? 'barista'
      : groups.includes('display')
        ? 'display'
        : 'customer';
  const shop = claims[SHOP_CLAIM];
  return {
    token,
    sub,
    role,
    ...(typeof shop === 'string' && shop ? { shopId: shop } : {}),
    expiresAt: exp,
  };
};

export const isExpired = (session: Session, nowMs: number, marginSeconds = 30): boolean =>
  session.expiresAt - marginSeconds <= nowMs / 1000;

/** Which roles may open a staff screen of a shop. */
const STAFF_SCREENS = {
  barista: ['barista', 'admin'],
  display: ['display', 'admin'],
  dashboard: ['barista', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export const mayOpen = (
  session: Session | undefined,
  screen: keyof typeof STAFF_SCREENS,
  shopId: string,
): boolean =>
  session !== undefined &&
  (STAFF_SCREENS[screen] as readonly Role[]).includes(session.role) &&
  (session.shopId === shopId || session.shopId === '*');
