import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  LAMBDA_MAX_INSTANCES,
  maxInstancesOf,
  type OfflineOptions,
  offlineArgs,
  PUBLISHER_MAX_INSTANCES,
} from './offline';

const options = (name: string): OfflineOptions => ({
  name,
  dir: '/tmp',
  stage: 'local',
  httpPort: 4010,
  lambdaPort: 4011,
  params: { eventBusName: 'bus' },
  awsEnv: {},
  log: () => {},
  serves: { http: true, websocket: false },
});

/** The value offline is given for `--maxInstancesPerFunction`, or undefined without one. */
const capIn = (args: string[]) => {
  const at = args.indexOf('--maxInstancesPerFunction');
  return at === -1 ? undefined : args[at + 1];
};

describe('serverless offline: instances per function', () => {
  it('caps every service at LAMBDA_MAX_INSTANCES and the publisher higher', () => {
    expect(PUBLISHER_MAX_INSTANCES).to.be.greaterThan(LAMBDA_MAX_INSTANCES);
    expect(maxInstancesOf('orders', {})).to.equal(LAMBDA_MAX_INSTANCES);
    expect(maxInstancesOf('config', {})).to.equal(LAMBDA_MAX_INSTANCES);
    expect(maxInstancesOf('publisher', {})).to.equal(PUBLISHER_MAX_INSTANCES);
    expect(maxInstancesOf('publisher', { ESPRESSO_LAMBDA_MAX_INSTANCES: '' })).to.equal(
      PUBLISHER_MAX_INSTANCES,
    );
  });

  it('ESPRESSO_LAMBDA_MAX_INSTANCES sets every service’s cap, the publisher’s too', () => {
    const env = { ESPRESSO_LAMBDA_MAX_INSTANCES: '5' };
    expect(maxInstancesOf('orders', env)).to.equal(5);
    expect(maxInstancesOf('publisher', env)).to.equal(5);
  });

  it('rejects a cap that is not a whole number ≥ 0, naming the variable', () => {
    for (const value of ['-1', '2.5', 'many']) {
      expect(() => maxInstancesOf('orders', { ESPRESSO_LAMBDA_MAX_INSTANCES: value })).to.throw(
        `ESPRESSO_LAMBDA_MAX_INSTANCES must be a whole number ≥ 0, not "${value}"`,
      );
    }
  });

  it('passes the service’s cap to offline, and none when it is 0', () => {
    expect(capIn(offlineArgs(options('orders'), {}))).to.equal(String(LAMBDA_MAX_INSTANCES));
    expect(capIn(offlineArgs(options('publisher'), {}))).to.equal(String(PUBLISHER_MAX_INSTANCES));
    const noLimit = { ESPRESSO_LAMBDA_MAX_INSTANCES: '0' };
    expect(capIn(offlineArgs(options('publisher'), noLimit))).to.equal(undefined);
  });
});
