import path from 'node:path';
import { type LocalServer, launchProcess, untilOutput } from './child-process';
import { prebuiltDir } from './services';

export interface OfflineService extends LocalServer {
  name: string;
}

export interface OfflineOptions {
  name: string;
  dir: string;
  stage: string;
  httpPort: number;
  lambdaPort: number;
  websocketPort?: number;
  params: Record<string, string>;
  awsEnv: Record<string, string>;
  log: (line: string) => void;
  /** What the service serves: offline prints a different line once each kind is up. */
  serves: { http: boolean; websocket: boolean };
  timeoutMs?: number;
}

/**
 * The most instances (worker threads) of one function serverless offline runs at once; a call
 * that finds them all busy waits for the first to be idle, its timeout counted from its start
 * (our patch's `--maxInstancesPerFunction`). Lambda would start another instance — and so did
 * offline, a cold worker costing ≈ 250 ms of CPU for each such call: on 2 cores a burst made
 * calls slower, slower calls made more workers (the orders races test ≈ 300, the faults test
 * 153 threads). Measured interleaved (packages/bench/README.md): 4 cut the load, faults and
 * races tests' CPU by 15–55 %; 3 then cut `pnpm test`'s by another 8–10 % with every chosen
 * order of the load test still pushed (2 was too few for the publisher's fan-out). The
 * publisher's own is higher (below); ESPRESSO_LAMBDA_MAX_INSTANCES overrides both.
 */
export const LAMBDA_MAX_INSTANCES = 3;

/**
 * The publisher's cap is higher. Its fan-out waits on DynamoDB and on its posts, not on the CPU,
 * and every push to a screen waits behind it: at 3 its calls queued (the bench's push p50 491 and
 * 616 ms), at 8 they hardly do (122 and 126 ms; no cap 118 and 143 ms) for ≈ 8 more CPU ms an
 * order (packages/bench/README.md).
 */
export const PUBLISHER_MAX_INSTANCES = 8;

/**
 * The cap on instances per function for one service's serverless offline (0: no limit).
 * ESPRESSO_LAMBDA_MAX_INSTANCES, when set, is every service's cap.
 */
export const maxInstancesOf = (service: string, env: NodeJS.ProcessEnv = process.env): number => {
  const value = env.ESPRESSO_LAMBDA_MAX_INSTANCES;
  if (value === undefined || value === '') {
    return service === 'publisher' ? PUBLISHER_MAX_INSTANCES : LAMBDA_MAX_INSTANCES;
  }
  const max = Number(value);
  if (!Number.isInteger(max) || max < 0) {
    throw new Error(`ESPRESSO_LAMBDA_MAX_INSTANCES must be a whole number ≥ 0, not "${value}"`);
  }
  return max;
};

/** `serverless offline start` with the stage, ports, params and instance cap. */
export const offlineArgs = (options: OfflineOptions, env: NodeJS.ProcessEnv = process.env) => {
  const maxInstances = maxInstancesOf(options.name, env);
  return [
    'offline',
    'start',
    '--stage',
    options.stage,
    '--host',
    '127.0.0.1',
    '--httpPort',
    String(options.httpPort),
    '--lambdaPort',
    String(options.lambdaPort),
    ...(options.websocketPort ? ['--websocketPort', String(options.websocketPort)] : []),
    ...(maxInstances > 0 ? ['--maxInstancesPerFunction', String(maxInstances)] : []),
    ...Object.entries(options.params).flatMap(([key, value]) => ['--param', `${key}=${value}`]),
  ];
};

/**
 * The service's own serverless CLI. ESPRESSO_OFFLINE_CPU_PROF=<folder>: each serverless offline
 * process (and its handlers' worker threads) writes V8 CPU profiles to <folder>/<service>/ when
 * it stops — open it in Chrome's DevTools. ESPRESSO_OFFLINE_NODE_FLAGS: extra node/V8 flags for
 * the offline processes (space-separated; for measuring).
 */
const offlineCommand = (options: OfflineOptions): { command: string; args: string[] } => {
  const profileDir = process.env.ESPRESSO_OFFLINE_CPU_PROF;
  const flags = (process.env.ESPRESSO_OFFLINE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  if (profileDir) {
    flags.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir, options.name)}`);
  }
  if (flags.length === 0) {
    return {
      command: path.join(options.dir, 'node_modules', '.bin', 'serverless'),
      args: offlineArgs(options),
    };
  }
  return {
    command: process.execPath,
    args: [
      ...flags,
      path.join(options.dir, 'node_modules', 'osls', 'bin', 'serverless.js'),
      ...offlineArgs(options),
    ],
  };
};

/** The line offline prints once what the service serves is up. */
const readyLine = (serves: OfflineOptions['serves']) =>
  serves.http
    ? /Server ready/
    : serves.websocket
      ? /\[http for websocket\] listening/
      : /\[http for lambda\] listening/;

/**
 * Runs `serverless offline` for one service on the given ports, with the AWS SDK pointed at
 * the local endpoints through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables (which
 * serverless offline passes to every handler) and the authorizer at the local issuer.
 */
export const startOffline = async (options: OfflineOptions): Promise<OfflineService> => {
  const { dir, name } = options;
  const offline = launchProcess({
    name: `serverless offline for ${name}`,
    ...offlineCommand(options),
    cwd: dir,
    env: {
      ...process.env,
      ...options.awsEnv,
      // The bundles `serverless package` built for this stage (packageService), run as they are.
      ESPRESSO_PREBUILT: path.relative(dir, prebuiltDir(dir, options.stage)),
      SLS_TELEMETRY_DISABLED: '1',
      FORCE_COLOR: '0',
    },
    onOutput: (text) => {
      for (const line of text.split('\n')) if (line.trim()) options.log(`[${name}] ${line}`);
    },
    killAfterMs: 5000,
  });
  const ready = readyLine(options.serves);
  await untilOutput(offline, (output) => ready.test(output), {
    ms: options.timeoutMs ?? 90_000,
    message: `serverless offline for ${name} did not start`,
  });
  return { name, url: `http://127.0.0.1:${options.httpPort}`, stop: offline.stop };
};
