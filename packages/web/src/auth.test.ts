import { SHOP_CLAIM } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { type BrowserDeps, cognitoHostedUi } from './auth';
import { challengeFor } from './logic/pkce';

const config = {
  kind: 'cognito' as const,
  domain: 'https://espresso.auth.eu-west-1.amazoncognito.com',
  clientId: 'client123',
};

/** An unsigned ID token with the claims the app reads (the APIs check signatures, not the app). */
const idToken = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

const fakeBrowser = (answer?: { status: number; body: unknown }) => {
  const store = new Map<string, string>();
  const visited: string[] = [];
  const posts: { url: string; init: RequestInit | undefined }[] = [];
  const deps: BrowserDeps = {
    storage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
      removeItem: (k) => void store.delete(k),
    },
    assign: (url) => void visited.push(url),
    origin: 'https://app.example.com',
    fetch: async (url, init) => {
      posts.push({ url: String(url), init });
      const { status, body } = answer ?? { status: 500, body: {} };
      return new Response(JSON.stringify(body), { status });
    },
  };
  return { deps, store, visited, posts };
};

/** Runs `signIn` (which leaves the page) and returns where it went. */
const leaveForHostedUi = async (browser: ReturnType<typeof fakeBrowser>, next?: string) => {
  const adapter = cognitoHostedUi(config, browser.deps);
  void adapter.signIn({ role: 'customer', shopId: 'demo', next });
  await new Promise((resolve) => setTimeout(resolve, 10));
  const url = new URL(browser.visited[0] ?? '');
  return { adapter, url };
};

describe('Cognito hosted UI sign-in', () => {
  it('leaves for the hosted UI with a challenge of the verifier it keeps in this tab', async () => {
    const browser = fakeBrowser();
    const { url } = await leaveForHostedUi(browser, '#/shop/demo/barista');
    expect(url.pathname).to.equal('/oauth2/authorize');
    expect(url.searchParams.get('redirect_uri')).to.equal('https://app.example.com/');
    const pending = JSON.parse(browser.store.get('espresso.pkce') ?? '{}');
    expect(pending.next).to.equal('#/shop/demo/barista');
    expect(url.searchParams.get('state')).to.equal(pending.state);
    expect(url.searchParams.get('code_challenge')).to.equal(await challengeFor(pending.verifier));
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
    expect(form.get('code')).to.equal('the-code');
    expect(await challengeFor(form.get('code_verifier') ?? '')).to.equal(
      url.searchParams.get('code_challenge'),
    );
    expect(browser.store.has('espresso.pkce'), 'the pending request is used once').to.equal(false);
  });

  it('ignores a page that is no callback', async () => {
    const { deps } = fakeBrowser();
    expect(
      await cognitoHostedUi(config, deps).completeSignIn(new URL('https://app.example.com/#/x')),
    ).to.equal(undefined);
  });

  it('refuses a callback whose state is not this tab’s, without calling the token endpoint', async () => {
    const browser = fakeBrowser();
    const { adapter } = await leaveForHostedUi(browser);
    const error = await adapter
      .completeSignIn(new URL('https://app.example.com/?code=c&state=forged'))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).to.match(/does not belong to this tab/);
    expect(browser.posts).to.deep.equal([]);
  });

  it('says why the hosted UI refused, and why the token endpoint did', async () => {
    const refused = fakeBrowser();
    const first = await leaveForHostedUi(refused);
    const error = await first.adapter
      .completeSignIn(new URL('https://app.example.com/?error=access_denied&error_description=No'))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(error?.message).to.equal('Sign-in was refused (access_denied: No).');

    const bad = fakeBrowser({ status: 400, body: { error: 'invalid_grant' } });
    const second = await leaveForHostedUi(bad);
    const state = second.url.searchParams.get('state');
    const failure = await second.adapter
      .completeSignIn(new URL(`https://app.example.com/?code=c&state=${state}`))
      .then(
        () => undefined,
        (e: Error) => e,
      );
    expect(failure?.message).to.equal('Sign-in could not be completed (invalid_grant).');
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
