import { expect } from 'chai';
import { describe, it } from 'mocha';
import { authorizationServer, authorizeUrl, isCallback, logoutUrl } from './pkce';

const ui = {
  domain: 'https://espresso-dev.auth.eu-west-1.amazoncognito.com/',
  clientId: 'client123',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
  redirectUri: 'https://app.example.com/',
};

describe('PKCE and the hosted UI requests', () => {
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

  it('describes the user pool as an authorization server: its issuer, the domain’s endpoints', () => {
    expect(authorizationServer(ui)).to.deep.equal({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
      authorization_endpoint:
        'https://espresso-dev.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
      token_endpoint: 'https://espresso-dev.auth.eu-west-1.amazoncognito.com/oauth2/token',
    });
  });

  it('signs out through /logout back to the app', () => {
    expect(logoutUrl(ui, 'https://app.example.com/')).to.equal(
      'https://espresso-dev.auth.eu-west-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fapp.example.com%2F',
    );
  });

  [
    { search: '', expected: false },
    { search: '?foo=1', expected: false },
    { search: '?code=c1&state=s1', expected: true },
    { search: '?error=access_denied&error_description=User+cancelled&state=s1', expected: true },
    { search: '?code=c1', expected: true },
  ].forEach((c) => {
    it(`tells whether ${c.search || '(none)'} is the hosted UI's answer`, () => {
      expect(isCallback(new URL(`https://app.example.com/${c.search}#/x`))).to.equal(c.expected);
    });
  });
});
