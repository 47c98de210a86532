import { expect } from 'chai';
import { describe, it } from 'mocha';
import { isExpired, mayOpen, sessionFromToken } from './session';

const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"RS256"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .concat('signature')
    .join('.');

describe('session', () => {
  [
    {
      name: 'a customer (no group)',
      claims: { sub: 'u1', exp: 100 },
      role: 'customer',
      shopId: undefined,
    },
    {
      name: 'a barista of a shop',
      claims: { sub: 'u2', exp: 100, 'cognito:groups': ['barista'], 'custom:shopId': 'demo' },
      role: 'barista',
      shopId: 'demo',
    },
    {
      name: 'a display',
      claims: { sub: 'u3', exp: 100, 'cognito:groups': ['display'], 'custom:shopId': 'demo' },
      role: 'display',
      shopId: 'demo',
    },
    {
      name: 'an admin of every shop',
      claims: { sub: 'u4', exp: 100, 'cognito:groups': ['barista', 'admin'], 'custom:shopId': '*' },
      role: 'admin',
      shopId: '*',
    },
  ].forEach((c) => {
    it(`reads ${c.name} from the token's claims`, () => {
      const session = sessionFromToken(jwt(c.claims));
      expect(session?.role).to.equal(c.role);
      expect(session?.shopId).to.equal(c.shopId);
      expect(session?.sub).to.equal(c.claims.sub);
    });
  });

  it('reads a claim with non-ASCII text', () => {
    expect(sessionFromToken(jwt({ sub: 'café-☕', exp: 1 }))?.sub).to.equal('café-☕');
  });

  ['not-a-jwt', 'a.b.c', jwt({ exp: 1 }), jwt({ sub: 'x' })].forEach((token) => {
    it(`refuses a token it cannot read (${token.slice(0, 12)}…)`, () => {
      expect(sessionFromToken(token)).to.equal(undefined);
    });
  });

  it('treats a token as expired 30 s early', () => {
    const session = { token: 't', sub: 's', role: 'customer' as const, expiresAt: 1000 };
    expect(isExpired(session, 969_000)).to.equal(false);
    expect(isExpired(session, 970_000)).to.equal(true);
  });

  [
    {
      name: 'a barista opens the barista screen of their shop',
      role: 'barista',
      shop: 'demo',
      screen: 'barista',
      expected: true,
    },
    {
      name: 'a barista does not open another shop',
      role: 'barista',
      shop: 'other',
      screen: 'barista',
      expected: false,
    },
    {
      name: 'a barista does not open the display',
      role: 'barista',
      shop: 'demo',
      screen: 'display',
      expected: false,
    },
    {
      name: 'a display opens the display',
      role: 'display',
      shop: 'demo',
      screen: 'display',
      expected: true,
    },
    {
      name: 'an admin of every shop opens any screen',
      role: 'admin',
      shop: '*',
      screen: 'display',
      expected: true,
    },
    {
      name: 'a customer opens no staff screen',
      role: 'customer',
      shop: undefined,
      screen: 'barista',
      expected: false,
    },
  ].forEach((c) => {
    it(c.name, () => {
      const session = {
        token: 't',
        sub: 's',
        role: c.role as 'barista',
        ...(c.shop ? { shopId: c.shop } : {}),
        expiresAt: 1,
      };
      expect(mayOpen(session, c.screen as 'barista', 'demo')).to.equal(c.expected);
    });
  });
});
