import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type ServiceName,
  type Stack,
  type StackOptions,
  startStack,
  type TokenRequest,
} from '@espresso/local-cloud';

export interface TestStack extends Stack {
  /** `fetch` against a service's HTTP API; `token` adds `Authorization: Bearer …`. */
  call(
    service: ServiceName,
    method: string,
    route: string,
    options?: {
      token?: string;
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
    },
  ): Promise<{ status: number; body: unknown; headers: Headers }>;
  token(request: TokenRequest): Promise<string>;
}

/**
 * A private local stack for one test run: free ports, data in memory, keys in a temp folder,
 * so tests never touch a running `pnpm start` nor each other. Stop it in `after`.
 *
 * With `stateDir` the stack keeps its state there as `pnpm start` does (tables, queues, stream
 * checkpoints, workflow executions), so that a second stack started on the same folder goes on
 * where the first stopped; the caller creates and removes that folder.
 */
export const startTestStack = async (
  services: ServiceName[],
  options: Pick<StackOptions, 'extraServices' | 'log' | 'interpose'> & { stateDir?: string } = {},
): Promise<TestStack> => {
  const { stateDir: keptStateDir, ...stackOptions } = options;
  // ESPRESSO_STACK_LOG=<file>: every line the stack and its services print, appended there.
  const logFile = process.env.ESPRESSO_STACK_LOG;
  if (logFile && !stackOptions.log) {
    stackOptions.log = (line) => appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
  }
  const stateDir = keptStateDir ?? (await mkdtemp(path.join(os.tmpdir(), 'espresso-test-')));
  const stack = await startStack({
    services,
    stateDir,
    persist: keptStateDir !== undefined,
    ports: 'free',
    ...stackOptions,
  });
  const baseUrl = (service: ServiceName) => {
    const { endpoints } = stack;
    const url =
      service === 'publisher'
        ? endpoints.publisher?.http
        : service === 'config' || service === 'orders' || service === 'metrics'
          ? endpoints[service]
          : endpoints.services?.[service];
    if (!url) throw new Error(`service ${service} has no HTTP API in this stack`);
    return url;
  };
  return {
    ...stack,
    token: stack.mintToken,
    async call(service, method, route, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl(service)}${route}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async stop() {
      await stack.stop();
      if (keptStateDir === undefined) await rm(stateDir, { recursive: true, force: true });
    },
  };
};

/** Every service: what the shared stack runs. */
const EVERY_SERVICE: ServiceName[] = ['config', 'orders', 'publisher', 'metrics'];
/**
 * How long the shared stack outlives its last user: mocha runs the next file's `before` right
 * after one file's `after`, so a file that follows takes the same stack.
 */
export const SHARED_STACK_GRACE_MS = 1000;

/**
 * A stack shared by whoever asks while it runs: `start` once, then each caller's `stop` only lets
 * go; the stack stops `graceMs` after the last caller let go, unless someone asked again first.
 */
export const sharedStackOf = (
  start: () => Promise<TestStack>,
  graceMs = SHARED_STACK_GRACE_MS,
): (() => Promise<TestStack>) => {
  let shared:
    | { stack: Promise<TestStack>; users: number; stopTimer?: ReturnType<typeof setTimeout> }
    | undefined;
  return async () => {
    shared ??= { stack: start(), users: 0 };
    const current = shared;
    clearTimeout(current.stopTimer);
    delete current.stopTimer;
    current.users++;
    let stack: TestStack;
    try {
      stack = await current.stack;
    } catch (error) {
      // A failed start is not kept: the next caller tries again.
      if (shared === current) shared = undefined;
      throw error;
    }
    let released = false;
    return {
      ...stack,
      async stop() {
        if (released) return;
        released = true;
        current.users--;
        if (current.users > 0 || shared !== current) return;
        current.stopTimer = setTimeout(() => {
          if (shared !== current || current.users > 0) return;
          shared = undefined;
          stack.stop().catch((error: unknown) => {
            console.error(`the shared local stack did not stop cleanly: ${String(error)}`);
          });
        }, graceMs);
      },
    };
  };
};

/**
 * The process's one local stack with every service, for test files that allow sharing it: no
 * fault proxy, no kept state, their own shops, nothing asserted of what other tests wrote. Its
 * `stop` (in the file's `after`) only lets go: the stack stops SHARED_STACK_GRACE_MS after the
 * last file let go, unless another file took it first. A file run alone gets a stack of its own
 * as before; `pnpm test` runs several packages' files in one mocha process on one stack
 * (scripts/test.mjs SHARED_STACK_FILES), one stack start instead of one per file.
 */
export const sharedTestStack = sharedStackOf(() => startTestStack(EVERY_SERVICE));
