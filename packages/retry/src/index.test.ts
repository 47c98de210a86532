import { expect } from 'chai';
import { describe, it } from 'mocha';
import { exponentialPause, jitteredPause, retry } from './index';

/** An attempt that fails `failures` times (with errors named by attempt), then answers 'ok'. */
const failing = (failures: number) => {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    if (n <= failures) throw new Error(`failure ${n}`);
    return 'ok';
  };
  return { calls, attempt };
};

const recorder = () => {
  const pauses: number[] = [];
  return { pauses, sleep: async (ms: number) => void pauses.push(ms) };
};

describe('retry', () => {
  it('answers the first success, pausing as the policy says after each failure', async () => {
    const { calls, attempt } = failing(2);
    const { pauses, sleep } = recorder();

    const result = await retry(attempt, { attempts: 5, pauseMs: exponentialPause(50), sleep });

    expect(result).to.equal('ok');
    expect(calls).to.deep.equal([1, 2, 3]);
    expect(pauses).to.deep.equal([50, 100]);
  });

  it('throws the last error after every attempt, with no pause after the last', async () => {
    const { calls, attempt } = failing(10);
    const { pauses, sleep } = recorder();

    const error = await retry(attempt, { attempts: 3, pauseMs: () => 7, sleep }).catch((e) => e);

    expect((error as Error).message).to.equal('failure 3');
    expect(calls).to.deep.equal([1, 2, 3]);
    expect(pauses).to.deep.equal([7, 7]);
  });

  it('throws at once an error the policy does not retry', async () => {
    const { calls, attempt } = failing(10);
    const { pauses, sleep } = recorder();

    const error = await retry(attempt, {
      attempts: 5,
      pauseMs: () => 7,
      retryOn: (e) => e.message !== 'failure 2',
      sleep,
    }).catch((e) => e);

    expect((error as Error).message).to.equal('failure 2');
    expect(calls).to.deep.equal([1, 2]);
    expect(pauses).to.deep.equal([7]);
  });

  it('tries without a count until the policy stops it', async () => {
    const { calls, attempt } = failing(30);
    const { sleep } = recorder();

    const result = await retry(attempt, {
      attempts: Number.POSITIVE_INFINITY,
      pauseMs: () => 0,
      sleep,
    });

    expect(result).to.equal('ok');
    expect(calls).to.have.length(31);
  });

  it('pauses for real by default', async () => {
    const { attempt } = failing(1);
    const started = Date.now();

    await retry(attempt, { attempts: 2, pauseMs: () => 30 });

    expect(Date.now() - started).to.be.at.least(25);
  });

  it('jitters a pause between 0 and step × attempt', () => {
    for (let i = 0; i < 50; i++) {
      const pause = jitteredPause(20)(3);
      expect(pause).to.be.within(0, 59);
      expect(Number.isInteger(pause)).to.equal(true);
    }
  });
});
