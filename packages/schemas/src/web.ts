import { z } from 'zod';

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
    clientId: z.string().min(1),
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
