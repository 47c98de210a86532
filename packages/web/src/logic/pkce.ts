import { base64url } from 'jose';
import * as z from 'zod';

/*
 * The Cognito hosted UI's authorization code flow with PKCE (RFC 7636), as pure functions: the
 * verifier and its S256 challenge, the authorize, token and logout requests, and the callback's
 * parameters. `auth.ts` wires them to the browser (storage, redirects, fetch).
 */

export const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs use it. */
export const base64Url = (bytes: Uint8Array): string => base64url.encode(bytes);

type Random = (bytes: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>;
const cryptoRandom: Random = (bytes) => crypto.getRandomValues(bytes);

/** A code verifier: 32 random bytes → 43 characters of `[A-Za-z0-9_-]` (RFC 7636 §4.1). */
export const newVerifier = (random: Random = cryptoRandom): string =>
  base64Url(random(new Uint8Array(32)));

/** A random `state`, to tie the callback to this tab's request (CSRF). */
export const newState = (random: Random = cryptoRandom): string =>
  base64Url(random(new Uint8Array(16)));

/** The S256 challenge: base64url(SHA-256(verifier)) (RFC 7636 §4.2). */
export const challengeFor = async (verifier: string): Promise<string> =>
  base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export interface HostedUi {
  domain: string;
  clientId: string;
  redirectUri: string;
  scopes?: string[] | undefined;
}

/** `<domain>/oauth2/authorize?…`: where the browser goes to sign in. */
export const authorizeUrl = (
  ui: HostedUi,
  request: { state: string; challenge: string },
): string => {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: ui.clientId,
    redirect_uri: ui.redirectUri,
    scope: (ui.scopes ?? DEFAULT_SCOPES).join(' '),
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  });
  return `${trimSlash(ui.domain)}/oauth2/authorize?${query.toString()}`;
};

/** The token endpoint and its form body for the code the callback brought (a public client). */
export const tokenRequest = (
  ui: HostedUi,
  grant: { code: string; verifier: string },
): { url: string; body: string } => ({
  url: `${trimSlash(ui.domain)}/oauth2/token`,
  body: new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: ui.clientId,
    code: grant.code,
    redirect_uri: ui.redirectUri,
    code_verifier: grant.verifier,
  }).toString(),
});

/** `<domain>/logout?…`: ends the hosted UI's session, then returns to `logoutUri`. */
export const logoutUrl = (ui: { domain: string; clientId: string }, logoutUri: string): string =>
  `${trimSlash(ui.domain)}/logout?${new URLSearchParams({
    client_id: ui.clientId,
    logout_uri: logoutUri,
  }).toString()}`;

export type Callback =
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; description?: string; state?: string };

/**
 * The hosted UI's answer in the page's query (`?code=…&state=…` or `?error=…`), or undefined
 * when the URL is not a callback.
 */
export const parseCallback = (search: string): Callback | undefined => {
  const query = new URLSearchParams(search);
  const error = query.get('error');
  const state = query.get('state') ?? undefined;
  if (error) {
    const description = query.get('error_description') ?? undefined;
    return {
      kind: 'error',
      error,
      ...(description ? { description } : {}),
      ...(state ? { state } : {}),
    };
  }
  const code = query.get('code');
  if (code === null) return undefined;
  if (!code || !state)
    return { kind: 'error', error: 'invalid_request', description: 'no code or state' };
  return { kind: 'code', code, state };
};

/** What this tab keeps between leaving for the hosted UI and coming back. */
export const PendingSignInSchema = z.object({
  state: z.string().min(1),
  verifier: z.string().min(43).max(128),
  /** The screen to open after signing in (a hash route). */
  next: z.string().startsWith('#/').optional(),
});
export type PendingSignIn = z.infer<typeof PendingSignInSchema>;

/** The token endpoint's answer; the app keeps the ID token (the APIs' audience is the client). */
export const TokenResponseSchema = z.object({
  id_token: z.string().min(1),
  access_token: z.string().min(1),
  refresh_token: z.string().optional(),
  expires_in: z.number().int().positive(),
  token_type: z.string(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;
