/**
 * `pnpm start [options]`: builds the web app (packages/web, `vite build`) unless its build is
 * newer than everything it is built from, then runs the local stack's start CLI
 * (packages/local-cloud/src/cli/start.ts) serving it from packages/web/dist.
 *   --no-build   serve packages/web/dist as it is built now
 *   --no-web     no web app (nothing built or served)
 * Every other option goes to the start CLI (--services, --no-persist, --verbose, --ports,
 * --state-dir).
 *
 * Ctrl-C and SIGTERM: the start CLI stops the stack, prints "stopped." last and exits 0 (a
 * second one forces, exit code 130 / 143); this process exits with the CLI's code. Why a script:
 * pnpm answers a Ctrl-C by sending SIGINT once more to the process its script started and calls
 * that process's death by a signal a failure (`ERR_PNPM_…`, `ELIFECYCLE`). So the `start` script
 * execs this (no shell in between to be killed), this process never dies of those signals, and
 * the CLI — a plain `node --import tsx` child, no wrapper relaying signals again — receives the
 * terminal's own. A signal sent to pnpm or to this process alone (not to the process group) is
 * passed on to the CLI.
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2).filter((a) => a !== '--');
const noWeb = argv.includes('--no-web');
const noBuild = noWeb || argv.includes('--no-build');
const cliArgs = argv.filter((a) => a !== '--no-web' && a !== '--no-build');
const say = (line) => console.log(`[espresso] ${line}`);
// The CLI's "ready in" counts from here (this process's start): the web build included.
process.env.ESPRESSO_STARTED_AT = String(Math.round(performance.timeOrigin));

/** The running child: the web build, then the start CLI. */
let child;
let phase = 'build';
/** Whether the CLI said it received a signal itself (from the terminal's process group). */
let cliHeardSignal = false;
const PASS_ON_AFTER_MS = 300;

/** Whether this process got SIGINT or SIGTERM. */
let signalled = false;

const onSignal = (signal) => {
  signalled = true;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  if (phase === 'build') {
    // Stopped before the stack started: end the build, and that is all there was to stop.
    phase = 'stopped';
    child.kill(signal);
    return;
  }
  if (cliHeardSignal) return;
  // The CLI gets a terminal's Ctrl-C itself; pass the signal on only if it did not.
  setTimeout(() => {
    if (!cliHeardSignal && child.exitCode === null && child.signalCode === null) child.kill(signal);
  }, PASS_ON_AFTER_MS);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const exitCodeOf = (code, signal) => code ?? 128 + (constants.signals[signal] ?? 0);

const build = () =>
  new Promise((resolve) => {
    const web = path.join(root, 'packages', 'web');
    child = spawn(path.join(web, 'node_modules', '.bin', 'vite'), ['build'], {
      cwd: web,
      stdio: 'inherit',
    });
    child.on('error', (error) => {
      console.error(`[espresso] the web app did not build: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
  });

/** Newest modification time of a file, or of the files under a folder (node_modules skipped). */
const newest = async (target) => {
  const info = await stat(target).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(target, { withFileTypes: true });
  const times = await Promise.all(
    entries
      .filter((entry) => entry.name !== 'node_modules')
      .map((entry) => newest(path.join(target, entry.name))),
  );
  return Math.max(0, ...times);
};

/** Whether packages/web/dist is newer than the app's sources, the schemas it imports and the lockfile. */
const webBuildIsCurrent = async () => {
  const web = path.join(root, 'packages', 'web');
  const built = (await stat(path.join(web, 'dist', 'index.html')).catch(() => undefined))?.mtimeMs;
  if (built === undefined) return false;
  const sources = await Promise.all(
    [
      path.join(web, 'src'),
      path.join(web, 'index.html'),
      path.join(web, 'vite.config.ts'),
      path.join(web, 'package.json'),
      path.join(root, 'packages', 'schemas', 'src'),
      path.join(root, 'pnpm-lock.yaml'),
    ].map(newest),
  );
  return sources.every((time) => time < built);
};

if (!noBuild && (await webBuildIsCurrent())) {
  say('the web app is built already (packages/web/dist is newer than its sources)');
} else if (!noBuild) {
  say('building the web app (packages/web: vite build)');
  const code = await build();
  if (phase === 'stopped') {
    say('stopped.');
    process.exit(0);
  }
  if (code !== 0) {
    console.error(`[espresso] the web app did not build (exit code ${code})`);
    process.exit(code);
  }
}

phase = 'stack';
const localCloud = path.join(root, 'packages', 'local-cloud');
child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    path.join(localCloud, 'src', 'cli', 'start.ts'),
    ...(noWeb ? [] : ['--web', 'packages/web/dist']),
    ...cliArgs,
  ],
  { cwd: localCloud, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
);
child.on('message', (message) => {
  if (message && message.type === 'signal') cliHeardSignal = true;
});
child.on('exit', (code, signal) => {
  // Killed by the Ctrl-C itself: it came before the CLI set up its handlers (while it loads),
  // before it had started anything, so there is nothing left to stop.
  if (signal && signalled) {
    say('stopped.');
    process.exit(0);
  }
  process.exit(exitCodeOf(code, signal));
});
