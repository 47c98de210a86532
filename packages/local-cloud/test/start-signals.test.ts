import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { REPO_ROOT } from '../src/services';
import { sleep } from '../src/util';

/** Polls `done` every 100 ms until it is true; fails with `why()` after `timeoutMs`. */
const until = async (done: () => boolean, timeoutMs: number, why: () => string) => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(why());
    await sleep(100);
  }
};

/** Whether any process of the group `pgid` is still alive. */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The real `pnpm start` at the repository root, as a terminal runs it: in a process group of its
 * own (a terminal's Ctrl-C goes to the whole foreground group), with the fewest parts that still
 * make a stack (the config service, no web app) on free ports and a temp state folder, so it
 * runs beside anyone's `pnpm start`.
 */
const startInOwnGroup = (stateDir: string) => {
  const child = spawn(
    'pnpm',
    [
      'start',
      '--no-web',
      '--no-persist',
      '--services',
      'config',
      '--ports',
      'free',
      '--state-dir',
      stateDir,
    ],
    {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: '0' },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
};

describe('pnpm start: Ctrl-C and SIGTERM stop everything and exit 0', function () {
  this.timeout(300_000);
  let stateDir: string;
  const started: ChildProcess[] = [];

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-start-signals-'));
  });
  after(async () => {
    for (const child of started) {
      if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    }
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} to the process group: "stopped." last, exit code 0, no pnpm error, nothing left running`, async () => {
      const run = startInOwnGroup(path.join(stateDir, signal));
      started.push(run.child);
      const pgid = run.child.pid as number;
      await until(
        () => /\[espresso\] ready in /.test(run.output()) || run.child.exitCode !== null,
        240_000,
        () => `no ready line:\n${run.output()}`,
      );
      expect(run.child.exitCode, run.output()).to.equal(null);
      process.kill(-pgid, signal);
      const { code, signal: killedBy } = await run.exited;
      const output = run.output();
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      expect({ code, killedBy }, output).to.deep.equal({ code: 0, killedBy: null });
      expect(lines.at(-1), output).to.equal('[espresso] stopped.');
      expect(output).to.include('[espresso] stopping…');
      expect(output).not.to.match(/ERR_PNPM|ELIFECYCLE|Command failed/);
      // DynamoDB Local, serverless offline and the rest were in the group: all gone.
      await until(
        () => !groupAlive(pgid),
        10_000,
        () => `still running in the group: ${pgid}`,
      );
    });
  }
});
