import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect } from 'chai';

/**
 * serverless offline's worker-thread runner as the services install it (patched: see
 * patches/serverless-offline@13.10.1.patch). It answered each call through a MessageChannel of
 * its own and never closed it, so every call left a port in the offline process's event loop and
 * each later message cost more (libuv visits every open port handle at each wake-up).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const serviceRequire = createRequire(
  path.join(here, '..', '..', '..', 'services', 'config', 'package.json'),
);
const offlineSrc = path.dirname(serviceRequire.resolve('serverless-offline'));
const runnerUrl = pathToFileURL(
  path.join(
    offlineSrc,
    'lambda',
    'handler-runner',
    'worker-thread-runner',
    'WorkerThreadRunner.js',
  ),
).href;

interface Runner {
  run(event: unknown, context: unknown): Promise<unknown>;
  cleanup(): Promise<number>;
}

const openPorts = () =>
  process.getActiveResourcesInfo().filter((resource) => resource === 'MessagePort').length;

describe("serverless offline's worker-thread runner (patched)", function () {
  this.timeout(30_000);

  it('closes each call’s channel once it has answered: no port is left open per call', async () => {
    const { default: WorkerThreadRunner } = (await import(runnerUrl)) as {
      default: new (options: Record<string, unknown>, env: Record<string, string>) => Runner;
    };
    const runner = new WorkerThreadRunner(
      {
        codeDir: path.join(here, 'fixtures', 'echo'),
        functionKey: 'echo',
        handler: 'handler.handler',
        servicePath: path.join(here, 'fixtures', 'echo'),
        timeout: 5000,
      },
      {},
    );
    try {
      const context = { awsRequestId: 'r', functionName: 'echo' };
      expect(await runner.run({ n: 0 }, context)).to.deep.equal({ echo: { n: 0 } });
      const before = openPorts();
      for (let n = 1; n <= 200; n++) {
        expect(await runner.run({ n }, context)).to.deep.equal({ echo: { n } });
      }
      expect(openPorts() - before, 'ports left open by 200 calls').to.be.at.most(0);
    } finally {
      await runner.cleanup();
    }
  });
});
