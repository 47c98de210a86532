import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import type { Endpoints } from './stack';
import { type StaticSite, startStaticSite, webConfigFor } from './web';

const endpoints: Endpoints = {
  config: 'http://127.0.0.1:4010',
  orders: 'http://127.0.0.1:4020',
  identity: {
    issuer: 'http://127.0.0.1:4101/local-pool',
    jwks: 'http://127.0.0.1:4101/local-pool/.well-known/jwks.json',
    token: 'http://127.0.0.1:4101/local-pool/dev/token',
    clientId: 'espresso-local-web',
  },
  aws: { region: 'us-east-1', dynamodb: '', events: '', sqs: '', sfn: '' },
};

describe('web app hosting', () => {
  it('makes the web config from the stack endpoints, the WebSocket and metrics once there', () => {
    expect(webConfigFor(endpoints, 'local')).to.deep.equal({
      stage: 'local',
      api: { config: 'http://127.0.0.1:4010', orders: 'http://127.0.0.1:4020' },
      auth: { kind: 'dev', issuer: 'http://127.0.0.1:4101/local-pool' },
    });
    const withPublisher = { ...endpoints, publisher: { ws: 'ws://127.0.0.1:4042' } };
    expect(webConfigFor(withPublisher, 'local').websocketUrl).to.equal('ws://127.0.0.1:4042');
    const withMetrics = { ...endpoints, metrics: 'http://127.0.0.1:4030' };
    expect(webConfigFor(withMetrics, 'local').api.metrics).to.equal('http://127.0.0.1:4030');
  });

  it('refuses a stack without the config and orders APIs', () => {
    expect(() => webConfigFor({ ...endpoints, orders: undefined }, 'local')).to.throw(/orders/);
  });

  describe('static site', () => {
    let root: string;
    let site: StaticSite;
    before(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'espresso-web-'));
      await mkdir(path.join(root, 'assets'));
      await writeFile(path.join(root, 'index.html'), '<p>app</p>');
      await writeFile(path.join(root, 'assets', 'app.js'), 'run()');
      site = await startStaticSite({ root, port: 0, config: { stage: 'test' } });
    });
    after(async () => {
      await site.stop();
      await rm(root, { recursive: true, force: true });
    });

    [
      {
        name: 'serves the generated config',
        route: '/config.json',
        status: 200,
        body: '"stage": "test"',
        type: 'application/json',
      },
      {
        name: 'serves index.html at the root',
        route: '/',
        status: 200,
        body: '<p>app</p>',
        type: 'text/html',
      },
      {
        name: 'serves a built asset',
        route: '/assets/app.js',
        status: 200,
        body: 'run()',
        type: 'text/javascript',
      },
      {
        name: 'answers index.html for an app path',
        route: '/shop/demo',
        status: 200,
        body: '<p>app</p>',
        type: 'text/html',
      },
      { name: 'answers 404 for a missing file', route: '/assets/missing.js', status: 404 },
      { name: 'never serves outside its folder', route: '/..%2f..%2fetc%2fpasswd', status: 404 },
      { name: 'answers 400 for a path it cannot decode', route: '/%E0%A4%A', status: 400 },
    ].forEach((c) => {
      it(c.name, async () => {
        const response = await fetch(`${site.url}${c.route}`);
        expect(response.status).to.equal(c.status);
        const text = await response.text();
        if (c.body) expect(text).to.include(c.body);
        if (c.type) expect(response.headers.get('content-type')).to.include(c.type);
      });
    });

    it('answers only GET and HEAD', async () => {
      expect((await fetch(`${site.url}/`, { method: 'POST' })).status).to.equal(405);
    });
  });
});
