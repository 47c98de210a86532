import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { type WebConfig, WebConfigSchema } from '@espresso/schemas';
import type { LocalServer } from './child-process';
import { listenOnLoopback } from './local-http-server';
import type { Endpoints } from './stack';

/** The fixed port of the web app under `pnpm start` (tests take a free one). */
export const WEB_PORT = 4000;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

/** The web app's `/config.json` for a running stack: its API, WebSocket and issuer URLs. */
export const webConfigFor = (endpoints: Endpoints, stage: string): WebConfig => {
  if (!endpoints.config || !endpoints.orders) {
    throw new Error('the web app needs the config and orders services');
  }
  return WebConfigSchema.parse({
    stage,
    api: {
      config: endpoints.config,
      orders: endpoints.orders,
      ...(endpoints.metrics ? { metrics: endpoints.metrics } : {}),
    },
    ...(endpoints.publisher ? { websocketUrl: endpoints.publisher.ws } : {}),
    auth: { kind: 'dev', issuer: endpoints.identity.issuer },
  });
};

/** The web app's server. */
export type StaticSite = LocalServer;

/**
 * Serves a built single-page app from `root` (GET/HEAD only, no listing, never outside the
 * folder) with a generated `/config.json`, on 127.0.0.1. `/` and unknown extension-less paths
 * answer `index.html`.
 */
export const startStaticSite = async (options: {
  root: string;
  port: number;
  config: unknown;
}): Promise<StaticSite> => {
  const root = path.resolve(options.root);
  const configJson = JSON.stringify(options.config, null, 2);
  const { endpoint, stop } = await listenOnLoopback(options.port, (req, res) =>
    serveSite(root, configJson, req, res),
  );
  return { url: endpoint, stop };
};

/** Answers one request for the site in `root`. */
const serveSite = async (
  root: string,
  configJson: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/config.json') {
    res.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : configJson);
    return;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('bad path');
    return;
  }
  let file = path.join(root, decoded);
  if (file !== root && !file.startsWith(root + path.sep)) {
    res.writeHead(404).end();
    return;
  }
  const info = await stat(file).catch(() => undefined);
  if (info?.isDirectory() || (!info && path.extname(file) === '')) {
    file = path.join(root, 'index.html');
  }
  const found = info?.isFile() || (await stat(file).catch(() => undefined))?.isFile();
  if (!found) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  const immutable = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
};
