import type { Role, WebAuthConfig } from '@espresso/schemas';
import * as z from 'zod';
import { ApiError, apiErrorFrom } from './logic/errors';
import {
  authorizeUrl,
  challengeFor,
  type HostedUi,
  logoutUrl,
  newState,
  newVerifier,
  PendingSignInSchema,
  parseCallback,
  TokenResponseSchema,
  tokenRequest,
} from './logic/pkce';
import { isExpired, type Session, sessionFromToken } from './logic/session';

export interface SignInRequest {
  role: Role;
  shopId: string;
  /** The screen to open once signed in (a hash route). */
  next?: string | undefined;
}

/** A finished hosted-UI sign-in: the session and the screen it was asked for. */
export interface CompletedSignIn {
  session: Session;
  next: string | undefined;
}

/**
 * How a stage signs people in. Locally the dev login mints a token for any role; on AWS the
 * Cognito hosted UI does (the role comes from the user's groups, not from the request).
 */
export interface AuthAdapter {
  readonly kind: WebAuthConfig['kind'];
  /** Whether the person picks their role on the sign-in screen. */
  readonly picksRole: boolean;
  /** Signs in; the hosted UI instead leaves the page (the promise never settles). */
  signIn(request: SignInRequest): Promise<Session>;
  /**
   * Finishes a sign-in the page came back with (the hosted UI's `?code=…&state=…`): undefined
   * when `url` is no callback; throws when the callback is refused or does not match this tab.
   */
  completeSignIn(url: URL): Promise<CompletedSignIn | undefined>;
  /** After the app forgot the session: ends the sign-in provider's own session, if any. */
  signOut(): void;
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
  completeSignIn: () => Promise.resolve(undefined),
  signOut: () => undefined,
});

const PENDING_KEY = 'espresso.pkce';

/** What the hosted-UI adapter needs of the browser (injected by tests). */
export interface BrowserDeps {
  /** This tab's storage (sessionStorage): the pending request and the token live per tab. */
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Leaves the page for `url`. */
  assign(url: string): void;
  /** The app's origin, for the default redirect URI. */
  origin: string;
  fetch: typeof fetch;
}

const browser = (): BrowserDeps => ({
  storage: sessionStorage,
  assign: (url) => location.assign(url),
  origin: location.origin,
  fetch: (...args) => fetch(...args),
});

/**
 * AWS: the Cognito hosted UI, authorization code grant with PKCE (S256). `signIn` keeps a
 * random `state` and code verifier in this tab's sessionStorage and leaves for
 * `<domain>/oauth2/authorize`; the hosted UI comes back to `redirectUri` with `?code&state`,
 * where `completeSignIn` checks the state, exchanges the code and verifier at
 * `<domain>/oauth2/token` and keeps the ID token (the APIs' audience is the app client; roles
 * come from its `cognito:groups`). `signOut` goes through `<domain>/logout`.
 */
export const cognitoHostedUi = (
  auth: Extract<WebAuthConfig, { kind: 'cognito' }>,
  deps: BrowserDeps = browser(),
): AuthAdapter => {
  const redirectUri = auth.redirectUri ?? `${deps.origin}/`;
  const ui: HostedUi = {
    domain: auth.domain,
    clientId: auth.clientId,
    redirectUri,
    scopes: auth.scopes,
  };
  const refused = (message: string) => new Error(message);
  return {
    kind: 'cognito',
    picksRole: false,
    async signIn({ next }) {
      const state = newState();
      const verifier = newVerifier();
      deps.storage.setItem(
        PENDING_KEY,
        JSON.stringify({ state, verifier, ...(next?.startsWith('#/') ? { next } : {}) }),
      );
      deps.assign(authorizeUrl(ui, { state, challenge: await challengeFor(verifier) }));
      return new Promise<Session>(() => undefined);
    },
    async completeSignIn(url) {
      const callback = parseCallback(url.search);
      if (!callback) return undefined;
      const raw = deps.storage.getItem(PENDING_KEY);
      deps.storage.removeItem(PENDING_KEY);
      let pending: unknown;
      try {
        pending = raw ? JSON.parse(raw) : undefined;
      } catch {
        pending = undefined;
      }
      const parsed = PendingSignInSchema.safeParse(pending);
      if (callback.kind === 'error') {
        throw refused(
          `Sign-in was refused (${callback.error}${callback.description ? `: ${callback.description}` : ''}).`,
        );
      }
      if (!parsed.success || parsed.data.state !== callback.state) {
        throw refused('This sign-in answer does not belong to this tab. Please sign in again.');
      }
      const request = tokenRequest(ui, { code: callback.code, verifier: parsed.data.verifier });
      let response: Response;
      try {
        response = await deps.fetch(request.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: request.body,
        });
      } catch {
        throw new ApiError(0, 'NETWORK', 'network error');
      }
      const body: unknown = await response.json().catch(() => undefined);
      if (!response.ok) {
        const error =
          typeof body === 'object' && body !== null && 'error' in body ? String(body.error) : '';
        throw refused(`Sign-in could not be completed (${error || `HTTP ${response.status}`}).`);
      }
      const tokens = TokenResponseSchema.safeParse(body);
      const session = tokens.success ? sessionFromToken(tokens.data.id_token) : undefined;
      if (!session) {
        throw new ApiError(response.status, 'BAD_RESPONSE', 'the sign-in sent no ID token');
      }
      return { session, next: parsed.data.next };
    },
    signOut() {
      deps.assign(logoutUrl(ui, auth.logoutUri ?? redirectUri));
    },
  };
};

export const authAdapter = (auth: WebAuthConfig): AuthAdapter =>
  auth.kind === 'dev' ? devLogin(auth.issuer) : cognitoHostedUi(auth);

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
