import { createServer } from 'node:net';

/** Credentials the local endpoints accept (they check none). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `probe` until it resolves, or fails with its last error after `timeoutMs`. */
export const waitFor = async <T>(probe: () => Promise<T>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
};

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const children = new Set<import('node:child_process').ChildProcess>();
let exitHookInstalled = false;

/**
 * Remembers a child process so that it is killed when this process exits, however it exits:
 * a stopped test run or a killed `pnpm start` must not leave servers holding the ports.
 */
export const trackChild = (child: import('node:child_process').ChildProcess) => {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    });
  }
  return child;
};
