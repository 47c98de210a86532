import type { Role, WebAuthConfig } from '@espresso/schemas';
import { z } from 'zod';
import { ApiError, apiErrorFrom } from './logic/errors';
import { isExpired, type Session, sessionFromToken } from './logic/session';

export interface SignInRequest {
  role: Role;
  shopId: string;
}

/**
 * How a stage signs people in. Locally the dev login mints a token for any role; on AWS the
 * Cognito hosted UI does (the role comes from the user's groups, not from the request).
 */
export interface AuthAdapter {
  readonly kind: WebAuthConfig['kind'];
  /** Whether the person picks their role on the sign-in screen. */
  readonly picksRole: boolean;
  signIn(request: SignInRequest): Promise<Session>;
}

const TOKEN_KEY = 'espresso.token';
const CUSTOMER_KEY = 'espresso.customer-sub';

/**
 * A stable customer id for this browser, so the dev login gives the same customer (and the
 * same history) across tabs and reloads. Staff get one per sign-in.
 */
const customerSub = (): string => {
  const known = localStorage.getItem(CUSTOMER_KEY);
  if (known) return known;
  const sub = `customer-${crypto.randomUUID()}`;
  localStorage.setItem(CUSTOMER_KEY, sub);
  return sub;
};

const DevTokenSchema = z.object({ token: z.string().min(1) });

const devLogin = (issuer: string): AuthAdapter => ({
  kind: 'dev',
  picksRole: true,
  async signIn({ role, shopId }) {
    let response: Response;
    try {
      response = await fetch(`${issuer}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          role,
          ...(role === 'customer' ? { sub: customerSub() } : { shopId }),
        }),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'network error');
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) throw apiErrorFrom(response.status, body);
    const parsed = DevTokenSchema.safeParse(body);
    const session = parsed.success ? sessionFromToken(parsed.data.token) : undefined;
    if (!session) throw new ApiError(response.status, 'BAD_RESPONSE', 'the issuer sent no token');
    return session;
  },
});

/**
 * The seam for AWS: the Cognito hosted UI (authorization code + PKCE, then the ID token).
 * Not built yet; see README "Sign-in on AWS".
 */
const cognitoHostedUi = (): AuthAdapter => ({
  kind: 'cognito',
  picksRole: false,
  signIn() {
    return Promise.reject(new Error('Sign-in through the Cognito hosted UI is not built yet.'));
  },
});

export const authAdapter = (auth: WebAuthConfig): AuthAdapter =>
  auth.kind === 'dev' ? devLogin(auth.issuer) : cognitoHostedUi();

/** The session lives per tab (sessionStorage), so three tabs can hold three roles. */
export const savedSession = (): Session | undefined => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const session = token ? sessionFromToken(token) : undefined;
  if (!session || isExpired(session, Date.now())) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  return session;
};

export const saveSession = (session: Session | undefined): void => {
  if (session) sessionStorage.setItem(TOKEN_KEY, session.token);
  else sessionStorage.removeItem(TOKEN_KEY);
};
