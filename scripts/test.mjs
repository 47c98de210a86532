#!/usr/bin/env node
/**
 * `pnpm test`: lint, one typecheck and every package's and service's tests, as jobs in two lanes
 * (ESPRESSO_TEST_LANES, default 2; 1 runs one job at a time). A job is lint, the typecheck, a
 * package's `test` script, one file of packages/system-tests (its files are the longest: the
 * 1,000-order load test starts first, then the longest of the rest — EXPECTED_SECONDS), or the
 * files of several packages that share one local stack (SHARED_STACK_FILES, after the load test). Each
 * free lane takes the next job; a job's output is printed whole when it ends, so two lanes never
 * interleave their lines. Each lane draws its stacks' ports from its own share (ESPRESSO_PORT_SHARE), and
 * packaging a service folder is locked across processes (whilePackaging), so two stacks at once
 * never meet. At the end it prints the lint and typecheck times and the ten slowest test files
 * (from the mocha reporter named in .mocharc.json, through ESPRESSO_TEST_TIMINGS) with the CPU
 * the machine spent while each ran — with two lanes, the other lane's included. Exits with the
 * first failing job's status.
 */
import { spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import timings from '@espresso/test-support/mocha-timings';

/** The machine's busy CPU time in ms, or undefined off Linux (the reporter's own reading). */
const { machineBusyMs } = timings;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timingsDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-test-timings-'));
const timingsFile = path.join(timingsDir, 'files.jsonl');
const lanes = Number(process.env.ESPRESSO_TEST_LANES ?? 2);
if (!Number.isInteger(lanes) || lanes < 1) {
  console.error(`[test] ESPRESSO_TEST_LANES must be a whole number ≥ 1, not "${lanes}"`);
  process.exit(2);
}
/** The package whose test files run as jobs of their own. */
const SPLIT_PACKAGE = path.join('packages', 'system-tests');
/**
 * Test files of several packages that run in one job, one mocha process, on one local stack
 * with every service (test-support's sharedTestStack): one stack start instead of three. Their
 * packages' own jobs leave them out (`--ignore`); run alone, each file starts its own stack.
 * The browser test keeps a stack of its own: in one of eight runs with it here (2026-12-07) a
 * pushed ConfigChanged never reached its barista's new socket, a cause not yet found.
 */
const SHARED_STACK_JOB = 'shared stack: publisher live, simulate, fuzz';
const SHARED_STACK_FILES = [
  'services/publisher/test/live.test.ts',
  'packages/simulator/test/simulate.test.ts',
  // Last: it checks that every item in every table still parses, the other files' items too.
  'packages/system-tests/test/fuzz.test.ts',
];
/**
 * The job the shared-stack job waits for: not beside the 1,000-order load test, whose load made
 * one of its calls run past a function's timeout (a 503 in the simulator's test, 2026-12-07);
 * its files ran after the load test before they shared a stack too.
 */
const SHARED_STACK_AFTER = '@espresso/system-tests load.test.ts';
/** SHARED_STACK_FILES in the package at `dir`, relative to it: what its own job leaves out. */
const sharedFilesIn = (dir) =>
  SHARED_STACK_FILES.map((file) => path.relative(dir, path.join(root, file))).filter(
    (file) => !file.startsWith('..'),
  );
/**
 * Roughly how long each job takes on two lanes (seconds, a clean-clone run on 2 cores,
 * 2026-12-06), only to order the queue: longest first, so no long job is left for the end while
 * the other lane idles. The restart test, mostly waiting out a customer timeout, goes second, so
 * its wait overlaps the load test. (The faults test third, beside the load test too, left the
 * machine idle less but the load test slower: 462.5 s against 464.1 s, 858.8 against 839.1
 * CPU-s, a clean-clone run each, 2026-12-07; not kept.) A job not named here counts as 30.
 */
const EXPECTED_SECONDS = {
  '@espresso/system-tests load.test.ts': 1000,
  '@espresso/system-tests restart.test.ts': 900,
  lint: 800,
  typecheck: 800,
  '@espresso/local-cloud': 122,
  '@espresso/orders': 117,
  '@espresso/system-tests faults.test.ts': 53,
  '@espresso/metrics': 48,
  [SHARED_STACK_JOB]: 110,
  '@espresso/system-tests cloudformation-lint.test.ts': 29,
  '@espresso/system-tests deploy-readiness.test.ts': 29,
  '@espresso/web': 45,
  '@espresso/publisher': 12,
  '@espresso/config': 15,
  '@espresso/bench': 13,
  '@espresso/test-support': 9,
  '@espresso/deploy-rehearsal': 3,
  '@espresso/retry': 2,
  '@espresso/runtime': 2,
  '@espresso/schemas': 2,
  '@espresso/serverless-plugins': 2,
};

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
/**
 * Templates a test packages into a temp folder are kept here for this run (packageForTest of
 * @espresso/test-support): a stage packaged by one job with the same params is not packaged again
 * by another (the cfn-lint and deploy-readiness tests share stage qa7's four).
 */
const packageCache = path.join(timingsDir, 'packaged');
const testEnv = {
  ...process.env,
  ESPRESSO_TEST_TIMINGS: timingsFile,
  ESPRESSO_TEST_ROOT: root,
  ESPRESSO_PACKAGE_CACHE: packageCache,
};

/** The jobs' processes now running; a signal to this process is passed on to them. */
const running = new Set();
let stopping;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // A second one, or one with nothing running: stop now.
    if (stopping || running.size === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = signal;
    console.error(`\n[test] ${signal}: stopping the running jobs, starting no more`);
    // Each job runs in a process group of its own: its stacks' servers get the signal too.
    for (const child of running) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
  });
}

/** Runs a job with its output kept, and prints the output whole when it ends. */
const runJob = (job, lane) =>
  new Promise((resolve) => {
    const t0 = performance.now();
    const chunks = [];
    const child = spawn('pnpm', job.args, {
      cwd: job.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: {
        ...testEnv,
        ESPRESSO_PORT_SHARE: `${lane}/${lanes}`,
        ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}),
      },
    });
    running.add(child);
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.stderr.on('data', (chunk) => chunks.push(chunk));
    child.once('error', (error) => chunks.push(Buffer.from(`${error.message}\n`)));
    child.once('close', (code, signal) => {
      running.delete(child);
      const status = code ?? (signal ? 1 : 0);
      const verdict = status === 0 ? 'passed' : `FAILED (exit ${status})`;
      const ms = performance.now() - t0;
      const took = seconds(ms);
      job.ms = ms;
      process.stdout.write(`\n[test] ── ${job.name}: ${verdict} in ${took} (lane ${lane}) ──\n`);
      process.stdout.write(Buffer.concat(chunks));
      resolve(status);
    });
  });

/** Every workspace package with a `test` script, as pnpm lists them (`pnpm ls -r`). */
const workspacePackages = () =>
  new Promise((resolve, reject) => {
    const child = spawn('pnpm', ['ls', '-r', '--depth', '-1', '--json'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.once('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`pnpm ls exited ${code}`)),
    );
  });

/**
 * The jobs: lint, the typecheck, each package's tests and each of system-tests' files; on one
 * lane in that order, on more the longest first (EXPECTED_SECONDS; lint and the typecheck right
 * after the load and restart tests, so they still fail early).
 */
const planJobs = async () => {
  const jobs = ['lint', 'typecheck'].map((name) => ({ name, cwd: root, args: ['run', name] }));
  const missing = SHARED_STACK_FILES.filter((file) => !existsSync(path.join(root, file)));
  if (missing.length > 0) throw new Error(`SHARED_STACK_FILES names no such file: ${missing}`);
  jobs.push({
    name: SHARED_STACK_JOB,
    cwd: root,
    args: ['exec', 'mocha', ...SHARED_STACK_FILES],
    after: SHARED_STACK_AFTER,
  });
  for (const { name, path: dir } of await workspacePackages()) {
    if (dir === root) continue;
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'));
    if (!manifest.scripts?.test) continue;
    const sharedHere = sharedFilesIn(dir);
    if (path.relative(root, dir) === SPLIT_PACKAGE) {
      const files = (await readdir(path.join(dir, 'test'))).filter((f) => f.endsWith('.test.ts'));
      for (const file of files.sort()) {
        if (sharedHere.includes(path.join('test', file))) continue;
        jobs.push({ name: `${name} ${file}`, cwd: dir, args: ['exec', 'mocha', `test/${file}`] });
      }
    } else {
      const ignored = sharedHere.flatMap((file) => ['--ignore', file]);
      jobs.push({ name, cwd: dir, args: ['run', 'test', ...ignored] });
    }
  }
  if (lanes === 1) return jobs;
  const expected = (job) => EXPECTED_SECONDS[job.name] ?? 30;
  return jobs.sort((a, b) => expected(b) - expected(a));
};

/** Runs the jobs on `lanes` lanes, each lane taking the next job when it is free. */
const runJobs = async (jobs) => {
  const queue = [...jobs];
  const done = new Set();
  const planned = new Set(jobs.map((job) => job.name));
  const ready = (job) => !job.after || done.has(job.after) || !planned.has(job.after);
  /** Emits 'ended' at each job's end: a lane with no job ready waits for it. */
  const ends = new EventEmitter();
  let status = 0;
  const lane = async (n) => {
    while (queue.length > 0 && !stopping) {
      const index = queue.findIndex(ready);
      if (index < 0) {
        await once(ends, 'ended');
        continue;
      }
      const [job] = queue.splice(index, 1);
      const code = await runJob(job, n);
      if (code !== 0 && status === 0) status = code;
      done.add(job.name);
      ends.emit('ended');
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i + 1)));
  return status;
};

const busyAtStart = machineBusyMs();
const started = performance.now();
const jobs = await planJobs();
console.log(`[test] ${jobs.length} jobs on ${lanes} lane${lanes === 1 ? '' : 's'}`);
const status = await runJobs(jobs);
const times = jobs
  .filter((job) => job.name === 'lint' || job.name === 'typecheck')
  .map((job) => `${job.name} ${job.ms === undefined ? '—' : seconds(job.ms)}`);

const lines = existsSync(timingsFile) ? await readFile(timingsFile, 'utf8') : '';
const files = lines
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line))
  .sort((a, b) => b.ms - a.ms);
await rm(timingsDir, { recursive: true, force: true });

console.log(`\n[test] the ten slowest test files (of ${files.length}):`);
// cpuMs: the machine's busy CPU time while the file ran (see mocha-timings.cjs).
for (const { file, ms, cpuMs, tests, failures } of files.slice(0, 10)) {
  const failed = failures ? `, ${failures} failed` : '';
  const cpu = cpuMs === undefined ? '' : `, CPU ${seconds(cpuMs)}`;
  console.log(`  ${seconds(ms).padStart(8)}  ${file} (${tests} tests${failed}${cpu})`);
}
const verdict = status === 0 ? 'passed' : `failed (exit ${status})`;
const busyAtEnd = machineBusyMs();
const cpu =
  busyAtStart === undefined || busyAtEnd === undefined
    ? ''
    : ` (the machine's CPU busy ${seconds(busyAtEnd - busyAtStart)})`;
console.log(
  `[test] ${verdict} in ${seconds(performance.now() - started)}${cpu} on ${lanes} lane${lanes === 1 ? '' : 's'}: ${times.join(', ')}`,
);
process.exit(status);
