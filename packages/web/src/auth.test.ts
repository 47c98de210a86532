import { createHash } from 'node:crypto';
import { SHOP_CLAIM } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { type BrowserDeps, cognitoHostedUi } from './auth';

const config = {
  kind: 'cognito' as const,
  domain: 'https://espresso.auth.eu-west-1.amazoncognito.com',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf',
  clientId: 'client123',
};

/** RFC 7636's S256, computed here apart from the library the app uses. */
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An ID token as the user pool issues it, unsigned: the app checks its claims (issuer, audience,
 * times); the APIs check signatures.
 */
const idToken = (claims: Record<string, unknown>) =>
  `${base64Json({ alg: 'RS256', kid: 'k1' })}.${base64Json({
    iss: config.issuer,
    aud: config.clientId,
    iat: Math.floor(Date.now() / 1000),
    exp: 4_000_000_000,
    token_use: 'id',
    ...claims,
  })}.sig`;

const fakeBrowser = (answer?: { status: number; body: unknown }) => {
  const store = new Map<string, string>();
  const visited: string[] = [];
  let leave: (url: string) => void = () => undefined;
  /** Where the page first went (signIn computes the challenge before it leaves). */
  const left = new Promise<string>((resolve) => {
    leave = resolve;
  });
  const posts: { url: string; init: RequestInit | undefined }[] = [];
  const deps: BrowserDeps = {
    storage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
      removeItem: (k) => void store.delete(k),
    },
    assign: (url) => {
      visited.push(url);
      leave(url);
    },
    origin: 'https://app.example.com',
    fetch: async (url, init) => {
      posts.push({ url: String(url), init });
      const { status, body } = answer ?? { status: 500, body: {} };
      return new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json;charset=UTF-8' },
      });
    },
  };
  return { deps, store, visited, left, posts };
};

/** The error a completion fails with (undefined if it succeeds). */
const failureOf = (completion: Promise<unknown>) =>
  completion.then(
    () => undefined,
    (e: Error) => e,
  );

/** Runs `signIn` (which leaves the page) and returns where it went. */
const leaveForHostedUi = async (browser: ReturnType<typeof fakeBrowser>, next?: string) => {
  const adapter = cognitoHostedUi(config, browser.deps);
  void adapter.signIn({ role: 'customer', shopId: 'demo', next });
  const url = new URL(await browser.left);
  return { adapter, url };
};

describe('Cognito hosted UI sign-in', () => {
  it('leaves for the hosted UI with a challenge of the verifier it keeps in this tab', async () => {
    const browser = fakeBrowser();
    const { url } = await leaveForHostedUi(browser, '#/shop/demo/barista');
    expect(url.pathname).to.equal('/oauth2/authorize');
    expect(url.searchParams.get('redirect_uri')).to.equal('https://app.example.com/');
    expect(url.searchParams.get('code_challenge_method')).to.equal('S256');
    const pending = JSON.parse(browser.store.get('espresso.pkce') ?? '{}');
    expect(pending.next).to.equal('#/shop/demo/barista');
    expect(pending.verifier).to.match(/^[A-Za-z0-9_-]{43,128}$/);
    expect(url.searchParams.get('state')).to.equal(pending.state);
    expect(url.searchParams.get('code_challenge')).to.equal(s256(pending.verifier));

    const again = fakeBrowser();
    const second = await leaveForHostedUi(again);
    const kept = JSON.parse(again.store.get('espresso.pkce') ?? '{}');
    expect(kept.verifier, 'a fresh verifier per sign-in').to.not.equal(pending.verifier);
    expect(second.url.searchParams.get('state'), 'a fresh state').to.not.equal(pending.state);
  });

  it('exchanges the code of a matching callback and keeps the ID token as the session', async () => {
    const token = idToken({
      sub: 'u1',
      exp: 4_000_000_000,
      'cognito:groups': ['barista'],
      [SHOP_CLAIM]: 'demo',
    });
    const browser = fakeBrowser({
      status: 200,
      body: { id_token: token, access_token: 'a', expires_in: 3600, token_type: 'Bearer' },
    });
    const { adapter, url } = await leaveForHostedUi(browser, '#/shop/demo/barista');
    const state = url.searchParams.get('state');
    const done = await adapter.completeSignIn(
      new URL(`https://app.example.com/?code=the-code&state=${state}`),
    );
    expect(done?.next).to.equal('#/shop/demo/barista');
    expect(done?.session).to.include({ sub: 'u1', role: 'barista', shopId: 'demo', token });
    const post = browser.posts[0];
    expect(post?.url).to.equal('https://espresso.auth.eu-west-1.amazoncognito.com/oauth2/token');
    const form = new URLSearchParams(String(post?.init?.body));
    expect(form.get('grant_type')).to.equal('authorization_code');
    expect(form.get('client_id')).to.equal('client123');
    expect(form.get('redirect_uri')).to.equal('https://app.example.com/');
    expect(form.get('code')).to.equal('the-code');
    expect(s256(form.get('code_verifier') ?? '')).to.equal(url.searchParams.get('code_challenge'));
    expect(browser.store.has('espresso.pkce'), 'the pending request is used once').to.equal(false);
  });

  it('ignores a page that is no callback', async () => {
    const { deps } = fakeBrowser();
    expect(
      await cognitoHostedUi(config, deps).completeSignIn(new URL('https://app.example.com/#/x')),
    ).to.equal(undefined);
  });

  ['?code=c&state=forged', '?error=access_denied&state=forged'].forEach((search) => {
    it(`refuses ${search}, a state that is not this tab’s, without calling the token endpoint`, async () => {
      const browser = fakeBrowser();
      const { adapter } = await leaveForHostedUi(browser);
      const error = await failureOf(
        adapter.completeSignIn(new URL(`https://app.example.com/${search}`)),
      );
      expect(error?.message).to.match(/does not belong to this tab/);
      expect(browser.posts).to.deep.equal([]);
    });
  });

  it('says why the hosted UI refused, and why the token endpoint did', async () => {
    const refused = fakeBrowser();
    const first = await leaveForHostedUi(refused);
    const tab = first.url.searchParams.get('state');
    const error = await failureOf(
      first.adapter.completeSignIn(
        new URL(`https://app.example.com/?error=access_denied&error_description=No&state=${tab}`),
      ),
    );
    expect(error?.message).to.equal('Sign-in was refused (access_denied: No).');

    const bad = fakeBrowser({ status: 400, body: { error: 'invalid_grant' } });
    const second = await leaveForHostedUi(bad);
    const state = second.url.searchParams.get('state');
    const failure = await failureOf(
      second.adapter.completeSignIn(new URL(`https://app.example.com/?code=c&state=${state}`)),
    );
    expect(failure?.message).to.equal('Sign-in could not be completed (invalid_grant).');
  });

  [
    {
      name: 'another pool’s',
      claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/x' },
      says: '"iss" (issuer) claim value',
    },
    { name: 'another app client’s', claims: { aud: 'someone-else' }, says: '"aud" (audience)' },
    { name: 'an expired', claims: { exp: 1_000_000 }, says: 'expiration is past' },
  ].forEach((c) => {
    it(`refuses ${c.name} ID token from the token endpoint`, async () => {
      const browser = fakeBrowser({
        status: 200,
        body: {
          id_token: idToken({ sub: 'u1', ...c.claims }),
          access_token: 'a',
          expires_in: 3600,
          token_type: 'Bearer',
        },
      });
      const { adapter, url } = await leaveForHostedUi(browser);
      const state = url.searchParams.get('state');
      const error = await failureOf(
        adapter.completeSignIn(new URL(`https://app.example.com/?code=c&state=${state}`)),
      );
      expect(error?.message).to.match(/^the sign-in's ID token: unexpected JWT /);
      expect(error?.message).to.include(c.says);
      expect(browser.posts).to.have.length(1);
    });
  });

  it('signs out through the hosted UI back to the app', () => {
    const browser = fakeBrowser();
    cognitoHostedUi(
      { ...config, logoutUri: 'https://app.example.com/bye' },
      browser.deps,
    ).signOut();
    expect(browser.visited).to.deep.equal([
      'https://espresso.auth.eu-west-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fapp.example.com%2Fbye',
    ]);
  });
});
