import { readFile } from 'node:fs/promises';

export type Role = 'customer' | 'barista' | 'admin' | 'display';

/** Where the simulated clients go, and how they get their tokens. */
export interface Target {
  /** Config service HTTP API base URL. */
  config: string;
  /** Orders service HTTP API base URL. */
  orders: string;
  /** Publisher WebSocket URL (`ws://…` / `wss://…/<stage>`); without it baristas poll. */
  ws?: string;
  token(request: { role: Role; shopId?: string; sub?: string }): Promise<string>;
}

interface LocalEndpoints {
  config?: string;
  orders?: string;
  publisher?: { ws: string };
  identity: { token: string };
}

/** Tokens from the local issuer's dev login (`POST {issuer}/dev/token`). */
export const devLoginTokens =
  (tokenUrl: string): Target['token'] =>
  async (request) => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, expiresIn: 4 * 3600 }),
    });
    if (!res.ok) throw new Error(`dev login ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { token: string }).token;
  };

/**
 * Tokens of real users for a deployed stage, from a JSON file
 * `{"customer": ["…", …], "barista": ["…"], "admin": ["…"], "display": ["…"]}` (Cognito ID
 * tokens). Customers and baristas take the file's tokens in turn.
 */
export const fileTokens = async (file: string): Promise<Target['token']> => {
  const tokens = JSON.parse(await readFile(file, 'utf8')) as Partial<Record<Role, string[]>>;
  const next: Partial<Record<Role, number>> = {};
  return async ({ role }) => {
    const list = tokens[role] ?? [];
    if (list.length === 0) throw new Error(`${file} has no ${role} token`);
    const i = next[role] ?? 0;
    next[role] = i + 1;
    return list[i % list.length] as string;
  };
};

/** The running local stack, from the `endpoints.json` that `pnpm start` writes. */
export const localTarget = async (endpointsFile: string): Promise<Target> => {
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(await readFile(endpointsFile, 'utf8')) as LocalEndpoints;
  } catch {
    throw new Error(`no running stack: ${endpointsFile} is missing (run \`pnpm start\` first)`);
  }
  if (!endpoints.config || !endpoints.orders) {
    throw new Error(`${endpointsFile} lists no config or orders service`);
  }
  return {
    config: endpoints.config,
    orders: endpoints.orders,
    ...(endpoints.publisher?.ws ? { ws: endpoints.publisher.ws } : {}),
    token: devLoginTokens(endpoints.identity.token),
  };
};
