import { expect } from 'chai';
import { describe, it } from 'mocha';
import { WebConfigSchema } from './web';

const valid = {
  stage: 'local',
  api: { config: 'http://127.0.0.1:4010', orders: 'http://127.0.0.1:4020' },
  auth: { kind: 'dev', issuer: 'http://127.0.0.1:4101/local-pool' },
};

const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x';

describe('WebConfigSchema', () => {
  [
    { name: 'accepts a local config with the dev login and no WebSocket', input: valid },
    {
      name: 'accepts a WebSocket URL and the Cognito hosted UI',
      input: {
        ...valid,
        websocketUrl: 'wss://ws.example.com/dev',
        auth: {
          kind: 'cognito',
          domain: 'https://x.auth.eu-west-1.amazoncognito.com',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x',
          clientId: 'abc',
        },
      },
    },
    {
      name: 'accepts the hosted UI with its redirect and sign-out URLs and scopes',
      input: {
        ...valid,
        auth: {
          kind: 'cognito',
          domain: 'https://x.auth.eu-west-1.amazoncognito.com',
          issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_x',
          clientId: 'abc',
          redirectUri: 'https://app.example.com/',
          logoutUri: 'https://app.example.com/',
          scopes: ['openid', 'email', 'profile'],
        },
      },
    },
  ].forEach((c) => {
    it(c.name, () => {
      expect(WebConfigSchema.safeParse(c.input).success).to.equal(true);
    });
  });

  [
    {
      name: 'rejects an API URL that is not http(s)',
      input: { ...valid, api: { ...valid.api, orders: 'ftp://x' } },
      field: 'api.orders',
    },
    {
      name: 'rejects a WebSocket URL that is not ws(s)',
      input: { ...valid, websocketUrl: 'http://x' },
      field: 'websocketUrl',
    },
    {
      name: 'rejects a redirect URI that is not http(s)',
      input: {
        ...valid,
        auth: {
          kind: 'cognito',
          domain: 'https://x',
          issuer,
          clientId: 'abc',
          redirectUri: 'app://cb',
        },
      },
      field: 'auth.redirectUri',
    },
    {
      name: 'rejects a scope with a space in it',
      input: {
        ...valid,
        auth: {
          kind: 'cognito',
          domain: 'https://x',
          issuer,
          clientId: 'abc',
          scopes: ['openid email'],
        },
      },
      field: 'auth.scopes.0',
    },
    {
      name: 'rejects the hosted UI without its user pool’s issuer',
      input: { ...valid, auth: { kind: 'cognito', domain: 'https://x', clientId: 'abc' } },
      field: 'auth.issuer',
    },
    {
      name: 'rejects an unknown sign-in kind',
      input: { ...valid, auth: { kind: 'saml' } },
      field: 'auth.kind',
    },
  ].forEach((c) => {
    it(c.name, () => {
      const parsed = WebConfigSchema.safeParse(c.input);
      expect(parsed.success).to.equal(false);
      expect(parsed.error?.issues[0]?.path.join('.')).to.equal(c.field);
    });
  });
});
