import { expect } from 'chai';
import { parseBenchArgs } from './args';
import { operationOf } from './meter';
import { bundlesSummary } from './report';
import { metricsDetailTypes, metricsWritesPerEvent } from './run';

describe('bench arguments', () => {
  it('has small defaults so a run takes minutes', () => {
    expect(parseBenchArgs([], '/out')).to.deep.equal({
      repeat: 3,
      coldRepeat: 1,
      orders: 60,
      customers: 8,
      baristas: 4,
      importRepeat: 5,
      skipReady: false,
      calls: 2000,
      out: '/out',
    });
  });

  [
    { name: 'a zero repeat', argv: ['--repeat', '0'], error: /--repeat/ },
    { name: 'a fractional order count', argv: ['--orders', '2.5'], error: /--orders/ },
    { name: 'an unknown flag', argv: ['--fast'], error: /fast/ },
    { name: 'an unknown part to measure alone', argv: ['--only', 'cost'], error: /--only/ },
  ].forEach((c) => {
    it(`refuses ${c.name}`, () => {
      expect(() => parseBenchArgs(c.argv, '/out')).to.throw(c.error);
    });
  });

  it('measures only the bundles when asked', () => {
    expect(parseBenchArgs(['--only', 'bundles', '--import-repeat', '3'], '/o')).to.include({
      only: 'bundles',
      importRepeat: 3,
    });
  });

  it("measures only the local cloud's hops when asked, as many calls as given", () => {
    expect(parseBenchArgs(['--only', 'hops', '--calls', '500'], '/o')).to.include({
      only: 'hops',
      calls: 500,
    });
    expect(() => parseBenchArgs(['--only', 'hops', '--calls', '0'], '/o')).to.throw(/--calls/);
  });

  it('allows no cold start', () => {
    expect(parseBenchArgs(['--cold-repeat', '0', '--skip-ready'], '/o')).to.include({
      coldRepeat: 0,
      skipReady: true,
    });
  });
});

describe('meter', () => {
  [
    { target: 'dynamodb', path: '/', amz: 'DynamoDB_20120810.PutItem', op: 'PutItem' },
    { target: 'lambda', path: '/2015-03-31/functions/svc-fn/invocations', op: 'svc-fn' },
    { target: 'websocket', path: '/@connections/abc', method: 'POST', op: 'PostToConnection' },
  ].forEach((c) => {
    it(`names the operation of a ${c.target} request`, () => {
      expect(operationOf(c.target as 'dynamodb', c.method ?? 'POST', c.path, c.amz)).to.equal(c.op);
    });
  });
});

describe('metric writes per event', () => {
  const counts = {
    requests: {},
    eventEntries: 0,
    lambda: {},
    dynamodb: {
      readUnits: 0,
      writeUnits: 13,
      failedWriteUnits: 2,
      failedConditionalWrites: 1,
      tables: {
        'espresso-metrics-local-metrics': {
          requests: 3,
          writeRequests: 2,
          readUnits: 1,
          writeUnits: 12,
          failedConditionalWrites: 0,
          failedWriteUnits: 0,
        },
        'espresso-orders-local-orders': {
          requests: 1,
          writeRequests: 1,
          readUnits: 0,
          writeUnits: 1,
          failedConditionalWrites: 1,
          failedWriteUnits: 2,
        },
      },
    },
  };
  const metricsTemplate = {
    Resources: {
      EndingsRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            source: ['espresso.orders'],
            'detail-type': ['OrderManager.OrderCompleted', 'OrderProcessor.OrderTimedOut'],
          },
        },
      },
      EndingsQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
    },
  };
  const events = [
    { 'detail-type': 'OrderProcessor.OrderFinished' },
    { 'detail-type': 'OrderManager.OrderCompleted' },
    { 'detail-type': 'OrderManager.OrderPlaced' },
    { 'detail-type': 'OrderProcessor.OrderTimedOut' },
    { 'detail-type': 'OrderManager.OrderCompleted' },
    { 'detail-type': 'OrderManager.OrderCompleted' },
  ];

  it('is n/a without the metrics service', () => {
    expect(metricsWritesPerEvent(undefined, counts, events)).to.equal(
      'n/a (metrics service not present)',
    );
  });

  it('reads the detail-types from the metrics rule', () => {
    expect(metricsDetailTypes(metricsTemplate)).to.deep.equal([
      'OrderManager.OrderCompleted',
      'OrderProcessor.OrderTimedOut',
    ]);
  });

  it('divides the metrics tables’ write requests by the events the metrics rule takes', () => {
    expect(metricsWritesPerEvent(metricsTemplate, counts, events)).to.equal(0.5);
  });
});

describe('bundles summary', () => {
  const bundle = (moduleKb: number, zipKb: number, coldImportMs: number) => ({
    service: 'orders',
    function: 'fn',
    moduleBytes: moduleKb * 1024,
    zipBytes: zipKb * 1024,
    coldImportMs,
    externals: [],
  });

  it('gives the ranges over every function and how many meet both targets', () => {
    expect(
      bundlesSummary([bundle(120, 300, 40), bundle(90, 200, 70), bundle(160, 400, 20)]),
    ).to.equal(
      '3 functions: modules 90–160 KB (zips 200–400 KB), cold import 20–70 ms; 1 within both targets',
    );
  });

  it('gives one value when every function is the same', () => {
    expect(bundlesSummary([bundle(100, 200, 30)])).to.equal(
      '1 function: modules 100 KB (zips 200 KB), cold import 30 ms; 1 within both targets',
    );
  });
});
