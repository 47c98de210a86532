import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SHOP_CLAIM } from '@espresso/schemas';
import { expect } from 'chai';
import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { after, before, describe, it } from 'mocha';
import * as z from 'zod';
import {
  issuerFor,
  LOCAL_CLIENT_ID,
  type LocalIssuer,
  loadOrCreateKeys,
  mintToken,
  startLocalIssuer,
  type TokenRequest,
} from '../src/identity';
import { freePort } from '../src/util';

type Keys = Awaited<ReturnType<typeof loadOrCreateKeys>>;

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'espresso-'));

/** The error a promise rejects with; fails the test when it resolves instead. */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
};

const TokenResponseSchema = z.object({ token: z.string().min(1) });
const ErrorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

describe('mintToken', () => {
  const ISSUER = 'http://127.0.0.1:1/local-pool';
  let dir: string;
  let keys: Keys;

  before(async () => {
    dir = await tempDir();
    keys = await loadOrCreateKeys(dir);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('puts the groups and shop of each role in the claims', () => {
    [
      {
        name: 'a customer has no groups and no shop',
        request: { role: 'customer' },
        groups: [],
        shop: undefined,
      },
      {
        name: 'a customer never carries a shop, even when one is asked for',
        request: { role: 'customer', shopId: 'demo' },
        groups: [],
        shop: undefined,
      },
      {
        name: 'a barista is in the barista group of their shop',
        request: { role: 'barista', shopId: 'demo' },
        groups: ['barista'],
        shop: 'demo',
      },
      {
        name: 'an admin is in the admin group of their shop',
        request: { role: 'admin', shopId: 'corner-cafe' },
        groups: ['admin'],
        shop: 'corner-cafe',
      },
      {
        name: 'an admin of every shop carries the * shop',
        request: { role: 'admin', shopId: '*' },
        groups: ['admin'],
        shop: '*',
      },
      {
        name: 'a display is in the display group of its shop',
        request: { role: 'display', shopId: 'demo' },
        groups: ['display'],
        shop: 'demo',
      },
    ].forEach((c) => {
      it(c.name, async () => {
        const claims = decodeJwt(await mintToken(keys, ISSUER, c.request as TokenRequest));
        expect(claims['cognito:groups']).to.deep.equal(c.groups);
        if (c.shop === undefined) expect(claims).not.to.have.property(SHOP_CLAIM);
        else expect(claims[SHOP_CLAIM]).to.equal(c.shop);
      });
    });
  });

  it('writes the claims of a Cognito ID token for the local app client', async () => {
    const token = await mintToken(keys, ISSUER, { role: 'barista', shopId: 'demo', sub: 'u-123' });
    const claims = decodeJwt(token);
    expect(claims.aud).to.equal(LOCAL_CLIENT_ID);
    expect(claims.iss).to.equal(ISSUER);
    expect(claims.token_use).to.equal('id');
    expect(claims.sub).to.equal('u-123');
    expect(claims['cognito:username']).to.equal('u-123');
    expect(claims.email).to.equal('barista-u-123@espresso.local');
    expect(claims.jti).to.be.a('string');
    expect(claims.auth_time).to.equal(claims.iat);
    expect(decodeProtectedHeader(token)).to.deep.equal({ alg: 'RS256', kid: keys.kid, typ: 'JWT' });
  });

  it('gives each token a fresh sub and jti when none is asked for', async () => {
    const a = decodeJwt(await mintToken(keys, ISSUER, { role: 'customer' }));
    const b = decodeJwt(await mintToken(keys, ISSUER, { role: 'customer' }));
    expect(a.sub).to.be.a('string').and.not.equal(b.sub);
    expect(a.jti).to.not.equal(b.jti);
  });

  describe('sets the expiry from expiresIn', () => {
    [
      { name: 'one hour by default', expiresIn: undefined, lifetime: 3600 },
      { name: 'the lifetime asked for', expiresIn: 120, lifetime: 120 },
      { name: 'in the past for a negative lifetime', expiresIn: -60, lifetime: -60 },
    ].forEach((c) => {
      it(c.name, async () => {
        const now = Math.floor(Date.now() / 1000);
        const claims = decodeJwt(
          await mintToken(keys, ISSUER, {
            role: 'customer',
            ...(c.expiresIn === undefined ? {} : { expiresIn: c.expiresIn }),
          }),
        );
        expect(claims.iat).to.be.within(now, now + 1);
        expect(Number(claims.exp) - Number(claims.iat)).to.equal(c.lifetime);
      });
    });
  });

  it('lets a test override the issuer and audience', async () => {
    const claims = decodeJwt(
      await mintToken(keys, ISSUER, { role: 'customer', issuer: 'https://other', audience: 'x' }),
    );
    expect(claims.iss).to.equal('https://other');
    expect(claims.aud).to.equal('x');
  });

  describe('refuses a request it cannot honour', () => {
    [
      { name: 'a barista without a shop', request: { role: 'barista' }, error: /needs a shop/ },
      { name: 'an admin without a shop', request: { role: 'admin' }, error: /needs a shop/ },
      { name: 'a display without a shop', request: { role: 'display' }, error: /needs a shop/ },
      { name: 'an unknown role', request: { role: 'manager' }, error: /"role"/ },
      {
        name: 'a shop id that is not a slug',
        request: { role: 'barista', shopId: 'Demo Shop' },
        error: /shopId/,
      },
      {
        name: 'a lifetime over a day',
        request: { role: 'customer', expiresIn: 86_401 },
        error: /86400/,
      },
      { name: 'an empty sub', request: { role: 'customer', sub: '' }, error: /"sub"/ },
    ].forEach((c) => {
      it(`throws for ${c.name}`, async () => {
        const error = await rejectionOf(mintToken(keys, ISSUER, c.request as TokenRequest));
        expect(error).to.be.instanceOf(Error);
        expect(String((error as Error).message)).to.match(c.error);
      });
    });
  });
});

describe('loadOrCreateKeys', () => {
  const dirs: string[] = [];
  const freshDir = async () => {
    const dir = await tempDir();
    dirs.push(dir);
    return dir;
  };

  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps the key in the state folder: a second load gives the same kid and key', async () => {
    const dir = await freshDir();
    const first = await loadOrCreateKeys(dir);
    const second = await loadOrCreateKeys(dir);
    expect(second.kid).to.equal(first.kid);
    expect(second.publicJwk).to.deep.equal(first.publicJwk);
    expect(second.privateJwk).to.deep.equal(first.privateJwk);
  });

  it('creates a different key in a different state folder', async () => {
    const a = await loadOrCreateKeys(await freshDir());
    const b = await loadOrCreateKeys(await freshDir());
    expect(a.kid).to.not.equal(b.kid);
    expect(a.publicJwk.n).to.not.equal(b.publicJwk.n);
  });

  it('writes the key file readable by its owner only', async () => {
    const dir = await freshDir();
    await loadOrCreateKeys(dir);
    const { mode } = await stat(path.join(dir, 'identity', 'keys.json'));
    expect(mode & 0o777).to.equal(0o600);
  });

  it('describes an RS256 signing key whose public half has no private parts', async () => {
    const keys = await loadOrCreateKeys(await freshDir());
    expect(keys.publicJwk).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: keys.kid });
    expect(keys.publicJwk).not.to.have.property('d');
    expect(keys.privateJwk).to.have.property('d');
  });
});

describe('startLocalIssuer', () => {
  let stateDir: string;
  let otherStateDir: string;
  let port: number;
  let issuer: LocalIssuer | undefined;
  let otherKeys: Keys;
  let jwks: JWTVerifyGetKey;

  const local = (): LocalIssuer => {
    if (!issuer) throw new Error('the local issuer did not start');
    return issuer;
  };
  const verify = (token: string) =>
    jwtVerify(token, jwks, { issuer: local().issuer, audience: LOCAL_CLIENT_ID });
  const devLogin = (body: string) =>
    fetch(`${local().issuer}/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  before(async () => {
    stateDir = await tempDir();
    otherStateDir = await tempDir();
    port = await freePort();
    issuer = await startLocalIssuer({ port, stateDir });
    otherKeys = await loadOrCreateKeys(otherStateDir);
    jwks = createRemoteJWKSet(new URL(local().jwksUri));
  });

  after(async () => {
    await issuer?.stop();
    await rm(stateDir, { recursive: true, force: true });
    await rm(otherStateDir, { recursive: true, force: true });
  });

  it('names its issuer and JWKS URL after its port', () => {
    expect(local().issuer).to.equal(issuerFor(port));
    expect(local().issuer).to.equal(`http://127.0.0.1:${port}/local-pool`);
    expect(local().jwksUri).to.equal(`${local().issuer}/.well-known/jwks.json`);
  });

  it('serves the public key only in its JWKS, under the kid kept in the state folder', async () => {
    const response = await fetch(local().jwksUri);
    expect(response.status).to.equal(200);
    const { keys } = z
      .object({ keys: z.array(z.record(z.string(), z.unknown())) })
      .parse(await response.json());
    const stored = await loadOrCreateKeys(stateDir);
    expect(keys).to.deep.equal([stored.publicJwk]);
    expect(keys[0]).not.to.have.property('d');
  });

  it('serves an OpenID configuration that points at its JWKS', async () => {
    const response = await fetch(`${local().issuer}/.well-known/openid-configuration`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.include({
      issuer: local().issuer,
      jwks_uri: local().jwksUri,
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('mints tokens that verify against its JWKS with issuer and audience checked', async () => {
    const token = await local().mint({ role: 'barista', shopId: 'demo', sub: 'u-1' });
    const { payload, protectedHeader } = await verify(token);
    expect(payload.sub).to.equal('u-1');
    expect(payload['cognito:groups']).to.deep.equal(['barista']);
    expect(payload[SHOP_CLAIM]).to.equal('demo');
    expect(protectedHeader.alg).to.equal('RS256');
  });

  describe('mints tokens that fail verification when they should', () => {
    [
      {
        name: 'a token signed by another state folder key (unknown kid)',
        token: () => mintToken(otherKeys, local().issuer, { role: 'customer' }),
        error: errors.JWKSNoMatchingKey,
      },
      {
        name: 'a token signed by another key under the issuer kid',
        token: async () => {
          const own = await loadOrCreateKeys(stateDir);
          const forged = {
            ...otherKeys,
            kid: own.kid,
            privateJwk: { ...otherKeys.privateJwk, kid: own.kid },
          };
          return mintToken(forged, local().issuer, { role: 'admin', shopId: '*' });
        },
        error: errors.JWSSignatureVerificationFailed,
      },
      {
        name: 'an expired token',
        token: () => local().mint({ role: 'customer', expiresIn: -60 }),
        error: errors.JWTExpired,
      },
      {
        name: 'a token for another audience',
        token: () => local().mint({ role: 'customer', audience: 'someone-else' }),
        error: errors.JWTClaimValidationFailed,
        claim: 'aud',
      },
      {
        name: 'a token from another issuer',
        token: () => local().mint({ role: 'customer', issuer: 'https://cognito-idp.example' }),
        error: errors.JWTClaimValidationFailed,
        claim: 'iss',
      },
    ].forEach((c) => {
      it(`rejects ${c.name}`, async () => {
        const error = await rejectionOf(verify(await c.token()));
        expect(error).to.be.instanceOf(c.error);
        if (c.claim) expect(error).to.have.property('claim', c.claim);
      });
    });
  });

  describe('dev login POST {issuer}/dev/token', () => {
    [
      { name: 'a customer', body: { role: 'customer' }, groups: [], shop: undefined },
      {
        name: 'a barista of a shop',
        body: { role: 'barista', shopId: 'demo', sub: 'dev-barista' },
        groups: ['barista'],
        shop: 'demo',
      },
      {
        name: 'a display of a shop',
        body: { role: 'display', shopId: 'demo' },
        groups: ['display'],
        shop: 'demo',
      },
    ].forEach((c) => {
      it(`answers a verifiable token for ${c.name}`, async () => {
        const response = await devLogin(JSON.stringify(c.body));
        expect(response.status).to.equal(200);
        expect(response.headers.get('access-control-allow-origin')).to.equal('*');
        const { token } = TokenResponseSchema.parse(await response.json());
        const { payload } = await verify(token);
        expect(payload['cognito:groups']).to.deep.equal(c.groups);
        expect(payload[SHOP_CLAIM]).to.equal(c.shop);
        if ('sub' in c.body) expect(payload.sub).to.equal(c.body.sub);
      });
    });

    [
      {
        name: 'an unknown role',
        body: JSON.stringify({ role: 'manager' }),
        message: /expected one of "customer"\|"barista"\|"admin"\|"display"/,
      },
      { name: 'no role', body: '{}', message: /expected one of "customer"/ },
      {
        name: 'a staff role without a shop',
        body: JSON.stringify({ role: 'barista' }),
        message: /needs a shop/,
      },
      {
        name: 'a shop id that is not a slug',
        body: JSON.stringify({ role: 'admin', shopId: 'Not A Slug' }),
        message: /shopId/,
      },
      {
        name: 'an audience of its own choosing',
        body: JSON.stringify({ role: 'customer', audience: 'someone-else' }),
        message: /Unrecognized key: "audience"/,
      },
      {
        name: 'an issuer of its own choosing',
        body: JSON.stringify({ role: 'customer', issuer: 'https://cognito-idp.example' }),
        message: /Unrecognized key: "issuer"/,
      },
      { name: 'a body that is not JSON', body: '{"role":', message: /not JSON/ },
    ].forEach((c) => {
      it(`answers 400 INVALID_REQUEST for ${c.name}`, async () => {
        const response = await devLogin(c.body);
        expect(response.status).to.equal(400);
        const { error } = ErrorResponseSchema.parse(await response.json());
        expect(error.code).to.equal('INVALID_REQUEST');
        expect(error.message).to.match(c.message);
      });
    });
  });

  it('answers a CORS preflight with 204', async () => {
    const response = await fetch(`${local().issuer}/dev/token`, { method: 'OPTIONS' });
    expect(response.status).to.equal(204);
    expect(response.headers.get('access-control-allow-headers')).to.equal('content-type');
  });

  it('answers 404 NOT_FOUND for any other path', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`);
    expect(response.status).to.equal(404);
    const { error } = ErrorResponseSchema.parse(await response.json());
    expect(error.code).to.equal('NOT_FOUND');
  });
});
