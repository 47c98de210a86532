import { expect } from 'chai';
import { median, percentile, seededRandom, summarize } from './stats';

describe('stats', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(values, 50)).to.equal(50);
    expect(percentile(values, 95)).to.equal(95);
    expect(percentile(values, 99)).to.equal(99);
    expect(percentile(values, 100)).to.equal(100);
    expect(percentile(values, 0)).to.equal(1);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([], 50)).to.be.NaN;
  });

  it('takes the median of odd and even samples', () => {
    expect(median([3, 1, 2])).to.equal(2);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });

  it('summarizes a sample', () => {
    expect(summarize([10, 20, 30, 40])).to.deep.include({ n: 4, p50: 20, max: 40, mean: 25 });
  });

  it('draws the same numbers from the same seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).to.deep.equal(first);
    expect(first.every((x) => x >= 0 && x < 1)).to.equal(true);
  });
});
