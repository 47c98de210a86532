#!/usr/bin/env node
/**
 * `pnpm test:service <service> [--unit]`: lint, typecheck and test one service (or package) —
 * the loop of a change confined to it — and print how long each step took.
 * <service> is a name from serverless-compose.yml (`orders`) or a folder (`packages/schemas`).
 * --unit runs `test:unit` (no local stack, no packaging) instead of `test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--'));
const unit = args.includes('--unit');
if (!name) {
  console.error('usage: pnpm test:service <service|folder> [--unit]');
  process.exit(2);
}
const folder = [path.join('services', name), name].find((dir) =>
  existsSync(path.join(root, dir, 'package.json')),
);
if (!folder) {
  console.error(`no service or package ${name} (looked in services/${name} and ${name})`);
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(path.join(root, folder, 'package.json'), 'utf8'));
const steps = ['lint', 'typecheck', unit && pkg.scripts?.['test:unit'] ? 'test:unit' : 'test'];

const times = [];
const started = performance.now();
for (const step of steps) {
  const t0 = performance.now();
  console.log(`\n[test:service] ${pkg.name}: ${step}`);
  const { status } = spawnSync('pnpm', ['--filter', `./${folder}`, 'run', step], {
    cwd: root,
    stdio: 'inherit',
  });
  times.push(`${step} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (status !== 0) {
    console.error(`\n[test:service] ${pkg.name}: ${step} failed (${times.join(', ')})`);
    process.exit(status ?? 1);
  }
}
const total = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\n[test:service] ${pkg.name}: passed in ${total} s (${times.join(', ')})`);
