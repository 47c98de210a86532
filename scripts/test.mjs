#!/usr/bin/env node
/**
 * `pnpm test`: lint, one typecheck, then every package's and service's tests, one package at a
 * time (their local stacks and timing-sensitive race tests would contend for 2 cores), in
 * pnpm's workspace order. At the end it prints each step's time and the ten slowest test files
 * (from the mocha reporter named in .mocharc.json, through ESPRESSO_TEST_TIMINGS) with the CPU
 * the machine spent while each ran, also when a step failed. Exits with the first failing step's status.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import timings from '@espresso/test-support/mocha-timings';

/** The machine's busy CPU time in ms, or undefined off Linux (the reporter's own reading). */
const { machineBusyMs } = timings;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timingsDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-test-timings-'));
const timingsFile = path.join(timingsDir, 'files.jsonl');

const steps = [
  ['lint', ['run', 'lint']],
  ['typecheck', ['run', 'typecheck']],
  ['tests', ['-r', '--workspace-concurrency=1', 'run', 'test']],
];

const run = (args) =>
  new Promise((resolve) => {
    const child = spawn('pnpm', args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ESPRESSO_TEST_TIMINGS: timingsFile, ESPRESSO_TEST_ROOT: root },
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const busyAtStart = machineBusyMs();
const times = [];
let status = 0;
const started = performance.now();
for (const [name, args] of steps) {
  const t0 = performance.now();
  status = await run(args);
  times.push(`${name} ${seconds(performance.now() - t0)}`);
  if (status !== 0) break;
}

const lines = await readFile(timingsFile, 'utf8').catch(() => '');
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
  `[test] ${verdict} in ${seconds(performance.now() - started)}${cpu}: ${times.join(', ')}`,
);
process.exit(status);
