import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

interface EmfRecord {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/**
 * Counts one business occurrence in a fresh Node process with the environment a deployed
 * function gets (the namespace is read when the module loads, as at a cold start) and returns
 * the EMF records it printed.
 */
const emitIn = async (env: Record<string, string>) => {
  const script = `import { countBusiness } from ${JSON.stringify(path.join(here, 'metrics.ts'))};
countBusiness('OrdersPlaced', { shopId: 'demo' });`;
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {
      cwd: here,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  return stdout
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfRecord);
};

describe('countBusiness', function () {
  this.timeout(30_000);

  [
    { stage: 'dev', namespace: 'ServerlessEspresso/dev' },
    { stage: 'pr-7', namespace: 'ServerlessEspresso/pr-7' },
  ].forEach(({ stage, namespace }) => {
    it(`emits one EMF record at once in the ${stage} stage's namespace, with the count and its dimensions`, async () => {
      const records = await emitIn({
        POWERTOOLS_METRICS_NAMESPACE: namespace,
        POWERTOOLS_SERVICE_NAME: 'espresso-orders',
      });
      expect(records).to.have.length(1);
      const [record] = records as [EmfRecord];
      const [directive] = record._aws.CloudWatchMetrics;
      expect(directive?.Namespace).to.equal(namespace);
      expect(directive?.Metrics).to.deep.equal([{ Name: 'OrdersPlaced', Unit: 'Count' }]);
      expect(directive?.Dimensions[0]).to.include.members(['service', 'shopId']);
      expect(record).to.include({ OrdersPlaced: 1, shopId: 'demo', service: 'espresso-orders' });
    });
  });
});
