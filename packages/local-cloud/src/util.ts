import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { retry, sleep } from '@espresso/retry';

/** Credentials the local endpoints accept (they check none). */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export { sleep };

/** Retries `probe` until it resolves, or fails with its last error after `timeoutMs`. */
export const waitFor = async <T>(probe: () => Promise<T>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  return retry(probe, {
    attempts: Number.POSITIVE_INFINITY,
    pauseMs: () => 100,
    retryOn: () => Date.now() <= deadline,
  });
};

/** Ports `freePort` handed out in this process: never handed out twice. */
const handedOut = new Set<number>();

/** The kernel's ephemeral range (Linux); outgoing connections and `listen(0)` take ports from it. */
const ephemeralRange = (): [number, number] => {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high && low > 12_000) return [low, high];
  } catch {
    // not Linux: IANA's range
  }
  return [49152, 65535];
};

const canListen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * The share of the ports below the ephemeral range that this process draws from:
 * ESPRESSO_PORT_SHARE `i/n` (`pnpm test` gives each of its lanes its own, so two stacks started
 * at once in two lanes never pick the same port), else all of them.
 */
export const portShare = (
  low: number,
  share = process.env.ESPRESSO_PORT_SHARE,
): { from: number; to: number } => {
  const from = 10_000;
  if (!share) return { from, to: low };
  const match = /^(\d+)\/(\d+)$/.exec(share);
  const [i, n] = [Number(match?.[1]), Number(match?.[2])];
  if (!match || n < 1 || i < 1 || i > n) {
    throw new Error(`ESPRESSO_PORT_SHARE must be i/n with 1 ≤ i ≤ n, not "${share}"`);
  }
  const width = Math.floor((low - from) / n);
  return { from: from + (i - 1) * width, to: from + i * width };
};

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for a server started a little later.
 * It is drawn below the kernel's ephemeral range — an ephemeral port freed here could be taken
 * meanwhile by an outgoing connection or another `listen(0)` (seen: a serverless offline's HTTP
 * and Lambda ports collided in a busy test run) — from this process's share of them
 * (`portShare`), and never handed out twice by this process.
 */
export const freePort = async (): Promise<number> => {
  const [low] = ephemeralRange();
  const { from, to } = portShare(low);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${from} and ${to - 1}`);
};

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
