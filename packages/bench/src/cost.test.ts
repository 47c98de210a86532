import { expect } from 'chai';
import { costPerThousand, expressBilledGbSeconds, loadPrices, ZERO_USAGE } from './cost';

describe('cost model', () => {
  it('reads the price file with a source for every service', async () => {
    const prices = await loadPrices();
    expect(prices.region).to.equal('us-east-1');
    for (const service of [prices.lambda, prices.stepFunctions, prices.dynamodb, prices.sqs]) {
      expect(service.source).to.match(/^https:\/\/aws\.amazon\.com\//);
    }
  });

  it('prices 1,000 orders of 10 Standard transitions at $0.25', async () => {
    const prices = await loadPrices();
    const { lines, total } = costPerThousand({ ...ZERO_USAGE, standardTransitions: 10 }, prices);
    expect(lines['Step Functions Standard transitions']).to.be.closeTo(0.25, 1e-12);
    expect(total).to.be.closeTo(0.25, 1e-12);
  });

  it('adds every line: a million-based price times 1,000 orders', async () => {
    const prices = await loadPrices();
    const usage = {
      ...ZERO_USAGE,
      lambdaInvocations: 10,
      dynamodbWriteUnits: 8,
      dynamodbReadUnits: 4,
      events: 5,
      httpRequests: 6,
    };
    const { lines, total } = costPerThousand(usage, prices);
    expect(lines['Lambda requests']).to.be.closeTo((10 * 1000 * 0.2) / 1e6, 1e-12);
    expect(lines['DynamoDB writes (WRU)']).to.be.closeTo((8 * 1000 * 0.625) / 1e6, 1e-12);
    expect(lines['DynamoDB reads (RRU)']).to.be.closeTo((4 * 1000 * 0.125) / 1e6, 1e-12);
    expect(total).to.be.closeTo(
      Object.values(lines).reduce((a, b) => a + b, 0),
      1e-12,
    );
  });

  it('bills Express duration in 100 ms steps at 64 MB at least', async () => {
    const prices = await loadPrices();
    expect(expressBilledGbSeconds(1, prices)).to.be.closeTo((64 / 1024) * 0.1, 1e-12);
    expect(expressBilledGbSeconds(101, prices)).to.be.closeTo((64 / 1024) * 0.2, 1e-12);
    expect(expressBilledGbSeconds(100, prices, 128)).to.be.closeTo((128 / 1024) * 0.1, 1e-12);
  });
});
