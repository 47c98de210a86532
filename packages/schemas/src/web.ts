import * as z from 'zod';

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const wsUrl = z.url({ protocol: /^wss?$/, error: 'must be a ws(s) URL' });

/**
 * How the web app signs in. `dev`: the local issuer's dev login (`POST {issuer}/dev/token`
 * `{role, shopId?, sub?}` → `{token}`); `cognito`: the user pool's hosted UI.
 */
export const WebAuthConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dev'), issuer: httpUrl }),
  z.strictObject({
    kind: z.literal('cognito'),
    /** The hosted UI's domain, e.g. `https://espresso-dev.auth.eu-west-1.amazoncognito.com`. */
    domain: httpUrl,
    /** The user pool's issuer, `https://cognito-idp.<region>.amazonaws.com/<pool id>`: ID tokens' `iss`. */
    issuer: httpUrl,
    /** The app client (public, no secret; authorization code grant with PKCE). */
    clientId: z.string().min(1),
    /** Where the hosted UI sends the browser back: a callback URL of the app client (default: the app's origin + `/`). */
    redirectUri: httpUrl.optional(),
    /** Where signing out returns: a sign-out URL of the app client (default: `redirectUri`). */
    logoutUri: httpUrl.optional(),
    /** OAuth scopes (default `openid email profile`); `openid` is needed for the ID token. */
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
      .min(1)
      .optional(),
  }),
]);
export type WebAuthConfig = z.infer<typeof WebAuthConfigSchema>;

/**
 * `/config.json`: the web app's only source of endpoints, written per stage next to the app
 * (locally by `pnpm start` from the stack's endpoints). No endpoint is built into the bundle.
 */
export const WebConfigSchema = z.strictObject({
  stage: z.string().min(1),
  api: z.strictObject({ config: httpUrl, orders: httpUrl, metrics: httpUrl.optional() }),
  /** The publisher's WebSocket; without it the app polls the APIs. */
  websocketUrl: wsUrl.optional(),
  auth: WebAuthConfigSchema,
});
export type WebConfig = z.infer<typeof WebConfigSchema>;
