import path from 'node:path';
import { expect } from 'chai';
import { REPO_ROOT, workspaceSources } from './services';

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
