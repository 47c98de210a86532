import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { packageForTest } from './template';

const run = promisify(execFile);

/**
 * A service folder whose `serverless` is a script: it counts its runs in `runs.log` and writes a
 * template naming its stage and params into `--package`, as `serverless package` does.
 */
const fakeService = async (root: string) => {
  const dir = path.join(root, 'svc');
  await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  const bin = path.join(dir, 'node_modules', '.bin', 'serverless');
  await writeFile(
    bin,
    `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const args = process.argv.slice(2);
fs.appendFileSync(path.join(process.cwd(), 'runs.log'), args.join(' ') + '\\n');
const out = args[args.indexOf('--package') + 1];
const stage = args[args.indexOf('--stage') + 1];
const params = args.filter((a, i) => args[i - 1] === '--param');
fs.writeFileSync(
  path.join(out, 'cloudformation-template-update-stack.json'),
  JSON.stringify({ Resources: {}, Outputs: { Stage: { Value: stage + ' ' + params.join(',') } } }),
);
`,
  );
  await chmod(bin, 0o755);
  return dir;
};

describe('packageForTest', () => {
  let root: string;
  let saved: string | undefined;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'espresso-package-for-test-'));
    saved = process.env.ESPRESSO_PACKAGE_CACHE;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.ESPRESSO_PACKAGE_CACHE;
    else process.env.ESPRESSO_PACKAGE_CACHE = saved;
    await rm(root, { recursive: true, force: true });
  });
  const runs = async (dir: string) =>
    (await readFile(path.join(dir, 'runs.log'), 'utf8')).trim().split('\n');

  /** packageForTest in another process (another job of the run), answering its template's Outputs. */
  const packageElsewhere = async (dir: string, stage: string, params: Record<string, string>) => {
    const script = `
      const { packageForTest } = await import(${JSON.stringify(path.resolve('src/template.ts'))});
      const { template } = await packageForTest(${JSON.stringify(dir)}, ${JSON.stringify(stage)}, ${JSON.stringify(params)});
      console.log(JSON.stringify(template.Outputs));`;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: process.env,
      },
    );
    return JSON.parse(stdout) as Record<string, { Value: unknown }>;
  };

  it('packages a service, stage and params once in a pnpm test run (ESPRESSO_PACKAGE_CACHE), across processes', async function () {
    this.timeout(30_000);
    const dir = await fakeService(root);
    process.env.ESPRESSO_PACKAGE_CACHE = path.join(root, 'cache');
    const first = await packageForTest(dir, 'qa7', { a: '1' });
    expect(first.template.Outputs?.Stage?.Value).to.equal('qa7 a=1');
    // Another job of the run reads this one's packaging.
    expect(await packageElsewhere(dir, 'qa7', { a: '1' })).to.deep.equal(first.template.Outputs);
    expect(await runs(dir)).to.have.length(1);
    // Another stage or other params are packaged on their own.
    expect((await packageForTest(dir, 'dev', { a: '1' })).template.Outputs?.Stage?.Value).to.equal(
      'dev a=1',
    );
    expect((await packageForTest(dir, 'qa7', { a: '2' })).template.Outputs?.Stage?.Value).to.equal(
      'qa7 a=2',
    );
    expect(await runs(dir)).to.have.length(3);
  });

  it('packages once per process outside pnpm test (no ESPRESSO_PACKAGE_CACHE), each caller its own template, nothing kept on disk', async () => {
    const dir = await fakeService(root);
    delete process.env.ESPRESSO_PACKAGE_CACHE;
    const [one, two] = await Promise.all([packageForTest(dir, 'qa7'), packageForTest(dir, 'qa7')]);
    await packageForTest(dir, 'qa7');
    expect(one.template).to.deep.equal(two?.template);
    expect(one.template).to.not.equal(two?.template);
    expect(await runs(dir)).to.have.length(1);
    expect(await readdir(root)).to.deep.equal(['svc']);
  });
});
