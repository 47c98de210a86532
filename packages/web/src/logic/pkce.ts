import type { AuthorizationServer } from 'oauth4webapi';
import * as z from 'zod';

/*
 * The Cognito hosted UI's endpoints and requests for the authorization code flow with PKCE
 * (RFC 7636). The protocol itself (verifier, state, S256 challenge, callback validation, the
 * token request and the ID token's claims) is oauth4webapi's; `auth.ts` wires it to the
 * browser. What stays here is Cognito's layout: where each endpoint lives under the domain,
 * and its non-standard `/logout`.
 */

export const DEFAULT_SCOPES = ['openid', 'email', 'profile'];

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export interface HostedUi {
  domain: string;
  /** The user pool's issuer (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
  issuer: string;
  clientId: string;
  redirectUri: string;
  scopes?: string[] | undefined;
}

/** The user pool as an OAuth authorization server: its issuer and the domain's endpoints. */
export const authorizationServer = (ui: HostedUi): AuthorizationServer => ({
  issuer: ui.issuer,
  authorization_endpoint: `${trimSlash(ui.domain)}/oauth2/authorize`,
  token_endpoint: `${trimSlash(ui.domain)}/oauth2/token`,
});

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
  return `${authorizationServer(ui).authorization_endpoint}?${query.toString()}`;
};

/** `<domain>/logout?…`: ends the hosted UI's session, then returns to `logoutUri`. */
export const logoutUrl = (ui: { domain: string; clientId: string }, logoutUri: string): string =>
  `${trimSlash(ui.domain)}/logout?${new URLSearchParams({
    client_id: ui.clientId,
    logout_uri: logoutUri,
  }).toString()}`;

/** Whether the page's URL is the hosted UI's answer (`?code=…` or `?error=…`). */
export const isCallback = (url: URL): boolean =>
  url.searchParams.has('code') || url.searchParams.has('error');

/** What this tab keeps between leaving for the hosted UI and coming back. */
export const PendingSignInSchema = z.object({
  state: z.string().min(1),
  verifier: z.string().min(43).max(128),
  /** The screen to open after signing in (a hash route). */
  next: z.string().startsWith('#/').optional(),
});
export type PendingSignIn = z.infer<typeof PendingSignInSchema>;
