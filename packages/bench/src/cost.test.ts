import { expect } from 'chai';
import {
  costPerThousand,
  DEFAULT_ASSUMPTIONS,
  expressBilledGbSeconds,
  fixedMonthly,
  loadPrices,
  xraySampledShare,
  ZERO_INVENTORY,
  ZERO_USAGE,
} from './cost';

const GB = 1024 ** 3;

describe('cost model', () => {
  it('reads the price file with a source for every service', async () => {
    const prices = await loadPrices();
    expect(prices.region).to.equal('us-east-1');
    for (const service of [
      prices.lambda,
      prices.stepFunctions,
      prices.dynamodb,
      prices.sqs,
      prices.eventbridge,
      prices.apiGateway,
      prices.cloudwatch,
      prices.xray,
      prices.kms,
    ]) {
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

  it('prices each new per-order line as quantity × list price, per 1,000 orders', async () => {
    const prices = await loadPrices();
    const usage = {
      ...ZERO_USAGE,
      dynamodbFailedWriteUnits: 3,
      dynamodbStoredBytes: 4096,
      logBytes: 10_000,
      traceRoots: 20,
    };
    const { lines, total } = costPerThousand(usage, prices, {
      ...DEFAULT_ASSUMPTIONS,
      ordersPerMonth: 1000, // 20,000 traces a month: far under 1/s, all recorded
    });
    expect(lines['DynamoDB failed conditional writes (WRU)']).to.be.closeTo(
      (3 * 1000 * 0.625) / 1e6,
      1e-12,
    );
    expect(lines['DynamoDB storage (per month kept)']).to.be.closeTo(
      ((4096 * 1000) / GB) * 0.25,
      1e-12,
    );
    expect(lines['CloudWatch Logs ingestion']).to.be.closeTo(((10_000 * 1000) / GB) * 0.5, 1e-12);
    expect(lines['CloudWatch Logs storage']).to.be.closeTo(
      ((10_000 * 1000) / GB) * 0.03 * (14 / 30),
      1e-12,
    );
    expect(lines['X-Ray traces recorded']).to.be.closeTo((20 * 1000 * 5) / 1e6, 1e-12);
    expect(total).to.be.closeTo(
      Object.values(lines).reduce((a, b) => a + b, 0),
      1e-12,
    );
    // None of them is a fixed cost: no usage, no cost.
    expect(costPerThousand(ZERO_USAGE, prices).total).to.equal(0);
  });

  it('records every trace under 1 per second, then the first each second and 5 % of the rest', async () => {
    const prices = await loadPrices();
    expect(xraySampledShare(0.5, prices)).to.equal(1);
    expect(xraySampledShare(1, prices)).to.equal(1);
    expect(xraySampledShare(11, prices)).to.be.closeTo((1 + 0.05 * 10) / 11, 1e-12);
    // A busier month records a smaller share of its traces.
    const usage = { ...ZERO_USAGE, traceRoots: 20 };
    const quiet = costPerThousand(usage, prices, { ...DEFAULT_ASSUMPTIONS, ordersPerMonth: 1000 });
    const busy = costPerThousand(usage, prices, {
      ...DEFAULT_ASSUMPTIONS,
      ordersPerMonth: 10_000_000,
    });
    expect(busy.lines['X-Ray traces recorded']).to.be.below(
      quiet.lines['X-Ray traces recorded'] / 2,
    );
  });

  it('keeps fixed monthly costs apart: dashboards, alarms, metrics, keys', async () => {
    const prices = await loadPrices();
    const inventory = {
      ...ZERO_INVENTORY,
      dashboards: 1,
      alarms: 7,
      customMetricsPerStage: 2,
      customMetricsPerShop: 10,
      customerManagedKeys: 1,
      awsManagedKeyTables: 4,
    };
    const assumptions = { ...DEFAULT_ASSUMPTIONS, shops: 3, ordersPerMonth: 50_000 };
    const { lines, total, perThousandOrders } = fixedMonthly(inventory, prices, assumptions);
    expect(lines['CloudWatch dashboards']).to.equal(3);
    expect(lines['CloudWatch alarms (standard)']).to.be.closeTo(0.7, 1e-12);
    expect(lines['CloudWatch custom metrics (EMF)']).to.be.closeTo((2 + 10 * 3) * 0.3, 1e-12);
    expect(lines['KMS customer managed keys']).to.equal(1);
    expect(lines['KMS requests (AWS managed table keys)']).to.be.closeTo(
      ((4 * 8640) / 10_000) * 0.03,
      1e-12,
    );
    expect(total).to.be.closeTo(3 + 0.7 + 9.6 + 1 + ((4 * 8640) / 10_000) * 0.03, 1e-9);
    expect(perThousandOrders).to.be.closeTo((total * 1000) / 50_000, 1e-12);
    // The per-order figure does not include them.
    expect(costPerThousand(ZERO_USAGE, prices).total).to.equal(0);
    expect(fixedMonthly(ZERO_INVENTORY, prices).total).to.equal(0);
  });
});
