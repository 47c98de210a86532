import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, whilePackaging, workspaceSources } from './services';

describe('workspaceSources', () => {
  const sources = async (service: string) =>
    (await workspaceSources(path.join(REPO_ROOT, 'services', service))).map((folder) =>
      path.relative(REPO_ROOT, folder),
    );

  it("names the workspace packages a service's bundles import, and theirs", async () => {
    // orders depends on retry, runtime and schemas; runtime on schemas.
    expect(await sources('orders')).to.deep.equal([
      'packages/retry/src',
      'packages/runtime/src',
      'packages/schemas/src',
    ]);
    expect(await sources('config')).to.deep.equal(['packages/runtime/src', 'packages/schemas/src']);
  });

  it('leaves out what no bundle imports (the local cloud, the bench, the web app)', async () => {
    for (const service of ['config', 'orders', 'metrics', 'publisher']) {
      const found = await sources(service);
      for (const tool of ['local-cloud', 'bench', 'web', 'simulator', 'test-support']) {
        expect(found, service).not.to.include(`packages/${tool}/src`);
      }
    }
  });
});

describe('whilePackaging', () => {
  it('runs one packaging of a folder at a time, other folders at once, the lock on disk meanwhile', async () => {
    const [a, b] = await Promise.all(
      ['a', 'b'].map((name) => mkdtemp(path.join(os.tmpdir(), `espresso-lock-${name}-`))),
    );
    try {
      const log: string[] = [];
      const job = (dir: string, name: string, ms: number) =>
        whilePackaging(dir, async () => {
          log.push(`start ${name}`);
          expect(existsSync(path.join(dir, '.packaging.lock')), `${name}'s lock`).to.equal(true);
          await new Promise((done) => setTimeout(done, ms));
          log.push(`end ${name}`);
          return name;
        });
      const results = await Promise.all([
        job(a as string, 'a1', 300),
        job(a as string, 'a2', 300),
        job(b as string, 'b', 10),
      ]);
      expect(results).to.deep.equal(['a1', 'a2', 'b']);
      // Either a-job may take a's lock first; the other starts only once it has ended, while b
      // (another folder) ran at once.
      const [first, second] =
        log.indexOf('start a1') < log.indexOf('start a2') ? ['a1', 'a2'] : ['a2', 'a1'];
      expect(log.indexOf(`start ${second}`), log.join()).to.be.above(log.indexOf(`end ${first}`));
      expect(log.indexOf('end b'), log.join()).to.be.below(log.indexOf(`end ${first}`));
      expect(existsSync(path.join(a as string, '.packaging.lock')), 'released').to.equal(false);
    } finally {
      await Promise.all([a, b].map((dir) => rm(dir as string, { recursive: true, force: true })));
    }
  });
});
