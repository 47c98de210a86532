import type { Role, WebAuthConfig } from '@espresso/schemas';
import * as oauth from 'oauth4webapi';
import * as z from 'zod';
import { ApiError, apiErrorFrom } from './logic/errors';
import {
  authorizationServer,
  authorizeUrl,
  type HostedUi,
  isCallback,
  logoutUrl,
  type PendingSignIn,
  PendingSignInSchema,
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

/** The pending request this tab kept when it left for the hosted UI (used once). */
const takePending = (storage: BrowserDeps['storage']) => {
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  try {
    const parsed = PendingSignInSchema.safeParse(raw ? JSON.parse(raw) : undefined);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

const refused = (message: string) => new Error(message);

/**
 * The hosted UI's answer, checked by oauth4webapi against this tab's pending request: the
 * callback parameters for the token request, or why it is refused.
 */
const acceptCallback = (
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  url: URL,
  pending: PendingSignIn | undefined,
): { parameters: URLSearchParams; pending: PendingSignIn } => {
  try {
    if (!pending) throw refused('no pending sign-in');
    return { parameters: oauth.validateAuthResponse(as, client, url, pending.state), pending };
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      const why = error.error_description ? `: ${error.error_description}` : '';
      throw refused(`Sign-in was refused (${error.error}${why}).`);
    }
    throw refused('This sign-in answer does not belong to this tab. Please sign in again.');
  }
};

/**
 * AWS: the Cognito hosted UI, authorization code grant with PKCE (S256), done by oauth4webapi.
 * `signIn` keeps a random `state` and code verifier in this tab's sessionStorage and leaves for
 * `<domain>/oauth2/authorize`; the hosted UI comes back to `redirectUri` with `?code&state`,
 * where `completeSignIn` checks the state, exchanges the code and verifier at
 * `<domain>/oauth2/token`, checks the ID token's claims (issuer, audience, expiry) and keeps it
 * (the APIs' audience is the app client; roles come from its `cognito:groups`). `signOut` goes
 * through `<domain>/logout`.
 */
export const cognitoHostedUi = (
  auth: Extract<WebAuthConfig, { kind: 'cognito' }>,
  deps: BrowserDeps = browser(),
): AuthAdapter => {
  const redirectUri = auth.redirectUri ?? `${deps.origin}/`;
  const ui: HostedUi = {
    domain: auth.domain,
    issuer: auth.issuer,
    clientId: auth.clientId,
    redirectUri,
    scopes: auth.scopes,
  };
  const as = authorizationServer(ui);
  const client: oauth.Client = { client_id: auth.clientId };
  return {
    kind: 'cognito',
    picksRole: false,
    async signIn({ next }) {
      const state = oauth.generateRandomState();
      const verifier = oauth.generateRandomCodeVerifier();
      deps.storage.setItem(
        PENDING_KEY,
        JSON.stringify({ state, verifier, ...(next?.startsWith('#/') ? { next } : {}) }),
      );
      const challenge = await oauth.calculatePKCECodeChallenge(verifier);
      deps.assign(authorizeUrl(ui, { state, challenge }));
      return new Promise<Session>(() => undefined);
    },
    async completeSignIn(url) {
      if (!isCallback(url)) return undefined;
      const { parameters, pending } = acceptCallback(as, client, url, takePending(deps.storage));
      let response: Response;
      try {
        response = await oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.None(),
          parameters,
          redirectUri,
          pending.verifier,
          { [oauth.customFetch]: deps.fetch },
        );
      } catch {
        throw new ApiError(0, 'NETWORK', 'network error');
      }
      let tokens: oauth.TokenEndpointResponse;
      try {
        tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
          requireIdToken: true,
        });
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError || !response.ok) {
          const why = error instanceof oauth.ResponseBodyError ? error.error : '';
          throw refused(`Sign-in could not be completed (${why || `HTTP ${response.status}`}).`);
        }
        const why = error instanceof Error ? error.message : String(error);
        throw new ApiError(response.status, 'BAD_RESPONSE', `the sign-in's ID token: ${why}`);
      }
      const session = tokens.id_token ? sessionFromToken(tokens.id_token) : undefined;
      if (!session) {
        throw new ApiError(response.status, 'BAD_RESPONSE', 'the sign-in sent no ID token');
      }
      return { session, next: pending.next };
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
