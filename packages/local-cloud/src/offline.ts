import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { prebuiltDir } from './services';
import { trackChild } from './util';

export interface OfflineService {
  name: string;
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs `serverless offline` for one service on the given ports, with the AWS SDK pointed at
 * the local endpoints through the standard `AWS_ENDPOINT_URL_<SERVICE>` variables (which
 * serverless offline passes to every handler) and the authorizer at the local issuer.
 */
export const startOffline = async (options: {
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
}): Promise<OfflineService> => {
  const { dir } = options;
  const args = [
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
    ...Object.entries(options.params).flatMap(([key, value]) => ['--param', `${key}=${value}`]),
  ];
  // ESPRESSO_OFFLINE_CPU_PROF=<folder>: each serverless offline process (and its handlers'
  // worker threads) writes V8 CPU profiles to <folder>/<service>/ when it stops — open it in Chrome's DevTools.
  const profileDir = process.env.ESPRESSO_OFFLINE_CPU_PROF;
  const [command, commandArgs] = profileDir
    ? [
        process.execPath,
        [
          '--cpu-prof',
          `--cpu-prof-dir=${path.resolve(profileDir, options.name)}`,
          path.join(dir, 'node_modules', 'osls', 'bin', 'serverless.js'),
          ...args,
        ],
      ]
    : [path.join(dir, 'node_modules', '.bin', 'serverless'), args];
  const child: ChildProcess = trackChild(
    spawn(command, commandArgs, {
      cwd: dir,
      env: {
        ...process.env,
        ...options.awsEnv,
        // The bundles `serverless package` built for this stage (packageService), run as they are.
        ESPRESSO_PREBUILT: path.relative(dir, prebuiltDir(dir, options.stage)),
        SLS_TELEMETRY_DISABLED: '1',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    }),
  );
  let output = '';
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    for (const line of text.split('\n')) if (line.trim()) options.log(`[${options.name}] ${line}`);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`serverless offline for ${options.name} did not start:\n${output}`));
    }, options.timeoutMs ?? 90_000);
    const check = () => {
      const ready = options.serves.http
        ? /Server ready/.test(output)
        : options.serves.websocket
          ? /\[http for websocket\] listening/.test(output)
          : /\[http for lambda\] listening/.test(output);
      if (ready) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.stderr?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline for ${options.name} exited (${code}):\n${output}`));
    });
  });

  return {
    name: options.name,
    url: `http://127.0.0.1:${options.httpPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
};
