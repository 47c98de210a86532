import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { type Role, RoleSchema, SHOP_CLAIM, ShopIdSchema } from '@espresso/schemas';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import * as z from 'zod';

/** The app client id local tokens are issued for (the JWT authorizer's audience). */
export const LOCAL_CLIENT_ID = 'espresso-local-web';
const POOL_PATH = '/local-pool';

interface KeyFile {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** The RS256 signing key, generated once into the (git-ignored) state folder. */
export const loadOrCreateKeys = async (stateDir: string): Promise<KeyFile> => {
  const file = path.join(stateDir, 'identity', 'keys.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as KeyFile;
  } catch {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const keys: KeyFile = {
      kid,
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    };
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
    return keys;
  }
};

export const issuerFor = (port: number) => `http://127.0.0.1:${port}${POOL_PATH}`;

export const TokenRequestSchema = z.strictObject({
  role: RoleSchema,
  shopId: ShopIdSchema.or(z.literal('*')).optional(),
  sub: z.string().min(1).max(128).optional(),
  /** Lifetime in seconds; negative mints an already expired token (for tests). */
  expiresIn: z.number().int().min(-86_400).max(86_400).default(3600),
  issuer: z.string().optional(),
  audience: z.string().optional(),
});
export type TokenRequest = z.input<typeof TokenRequestSchema>;

const GROUPS: Record<Role, string[]> = {
  customer: [],
  barista: ['barista'],
  admin: ['admin'],
  display: ['display'],
};

/**
 * Signs a token with the claims Cognito puts in an ID token: `sub`, `aud` (the app client),
 * `token_use: id`, `cognito:groups`, and the shop attribute `custom:shopId` for staff.
 */
export const mintToken = async (keys: KeyFile, issuer: string, request: TokenRequest) => {
  const r = TokenRequestSchema.parse(request);
  if (r.role !== 'customer' && !r.shopId)
    throw new Error(`a ${r.role} token needs a shop (--shop)`);
  const sub = r.sub ?? randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    token_use: 'id',
    'cognito:username': sub,
    email: `${r.role}-${sub.slice(0, 8)}@espresso.local`,
    auth_time: now,
    'cognito:groups': GROUPS[r.role],
  };
  if (r.role !== 'customer' && r.shopId) claims[SHOP_CLAIM] = r.shopId;
  const key = await importJWK(keys.privateJwk, 'RS256');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: keys.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(r.issuer ?? issuer)
    .setAudience(r.audience ?? LOCAL_CLIENT_ID)
    .setIssuedAt(now)
    .setExpirationTime(now + r.expiresIn)
    .setJti(randomUUID())
    .sign(key);
};

export interface LocalIssuer {
  issuer: string;
  jwksUri: string;
  mint(request: TokenRequest): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A local stand-in for the Cognito user pool's token side: serves the JWKS and OpenID
 * configuration under the issuer URL, and a dev login `POST {issuer}/dev/token`
 * `{role, shopId?, sub?}` that answers `{token}` (localhost only).
 */
export const startLocalIssuer = async (options: {
  port: number;
  stateDir: string;
}): Promise<LocalIssuer> => {
  const keys = await loadOrCreateKeys(options.stateDir);
  const issuer = issuerFor(options.port);
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type',
    });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    if (req.method === 'OPTIONS') return send(res, 204, {});
    if (req.method === 'GET' && url.pathname === `${POOL_PATH}/.well-known/jwks.json`) {
      return send(res, 200, { keys: [keys.publicJwk] });
    }
    if (req.method === 'GET' && url.pathname === `${POOL_PATH}/.well-known/openid-configuration`) {
      return send(res, 200, {
        issuer,
        jwks_uri: jwksUri,
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['public'],
        response_types_supported: ['token'],
      });
    }
    if (req.method === 'POST' && url.pathname === `${POOL_PATH}/dev/token`) {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
        if (body.length > 10_000) req.destroy();
      });
      req.on('end', () => {
        let request: unknown;
        try {
          request = JSON.parse(body || '{}');
        } catch {
          return send(res, 400, {
            error: { code: 'INVALID_REQUEST', message: 'body is not JSON' },
          });
        }
        const parsed = TokenRequestSchema.omit({ issuer: true, audience: true }).safeParse(request);
        if (!parsed.success) {
          return send(res, 400, {
            error: {
              code: 'INVALID_REQUEST',
              message: parsed.error.issues[0]?.message ?? 'invalid',
            },
          });
        }
        mintToken(keys, issuer, parsed.data).then(
          (token) => send(res, 200, { token }),
          (error: Error) =>
            send(res, 400, { error: { code: 'INVALID_REQUEST', message: error.message } }),
        );
      });
      return undefined;
    }
    return send(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    issuer,
    jwksUri,
    mint: (request) => mintToken(keys, issuer, request),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
