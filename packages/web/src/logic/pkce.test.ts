import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  authorizeUrl,
  base64Url,
  challengeFor,
  logoutUrl,
  newState,
  newVerifier,
  parseCallback,
  tokenRequest,
} from './pkce';

const ui = {
  domain: 'https://espresso-dev.auth.eu-west-1.amazoncognito.com/',
  clientId: 'client123',
  redirectUri: 'https://app.example.com/',
};

describe('PKCE and the hosted UI requests', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).to.equal(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('encodes base64url without padding', () => {
    expect(base64Url(new Uint8Array([0xfb, 0xff, 0xfe]))).to.equal('-__-');
    expect(base64Url(new Uint8Array([1]))).to.equal('AQ');
  });

  it('makes 43-character verifiers and fresh states from 32 and 16 random bytes', () => {
    const verifier = newVerifier();
    expect(verifier).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(newVerifier()).to.not.equal(verifier);
    expect(newVerifier((b) => b.fill(0))).to.equal('A'.repeat(43));
    expect(newState()).to.match(/^[A-Za-z0-9_-]{22}$/);
  });

  it('sends the browser to /oauth2/authorize with the code flow, scopes, state and challenge', () => {
    const url = new URL(authorizeUrl(ui, { state: 's1', challenge: 'c1' }));
    expect(`${url.origin}${url.pathname}`).to.equal(
      'https://espresso-dev.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
    );
    expect(Object.fromEntries(url.searchParams)).to.deep.equal({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: 'https://app.example.com/',
      scope: 'openid email profile',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
    });
    const custom = new URL(
      authorizeUrl({ ...ui, scopes: ['openid'] }, { state: 's', challenge: 'c' }),
    );
    expect(custom.searchParams.get('scope')).to.equal('openid');
  });

  it('exchanges the code with the verifier at /oauth2/token as a form (no client secret)', () => {
    const request = tokenRequest(ui, { code: 'abc', verifier: 'v'.repeat(43) });
    expect(request.url).to.equal(
      'https://espresso-dev.auth.eu-west-1.amazoncognito.com/oauth2/token',
    );
    expect(Object.fromEntries(new URLSearchParams(request.body))).to.deep.equal({
      grant_type: 'authorization_code',
      client_id: 'client123',
      code: 'abc',
      redirect_uri: 'https://app.example.com/',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('signs out through /logout back to the app', () => {
    expect(logoutUrl(ui, 'https://app.example.com/')).to.equal(
      'https://espresso-dev.auth.eu-west-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fapp.example.com%2F',
    );
  });

  [
    { search: '', expected: undefined },
    { search: '?foo=1', expected: undefined },
    { search: '?code=c1&state=s1', expected: { kind: 'code', code: 'c1', state: 's1' } },
    {
      search: '?error=access_denied&error_description=User+cancelled&state=s1',
      expected: {
        kind: 'error',
        error: 'access_denied',
        description: 'User cancelled',
        state: 's1',
      },
    },
    {
      search: '?code=c1',
      expected: { kind: 'error', error: 'invalid_request', description: 'no code or state' },
    },
  ].forEach((c) => {
    it(`reads the callback ${c.search || '(none)'}`, () => {
      expect(parseCallback(c.search)).to.deep.equal(c.expected);
    });
  });
});
