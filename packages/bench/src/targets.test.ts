import { expect } from 'chai';
import { DEFAULT_ASSUMPTIONS, ZERO_INVENTORY, ZERO_USAGE } from './cost';
import { benchReport } from './report';
import type { BenchResult } from './run';
import { benchExitCode, TARGETS, targetRows, targetsTable } from './targets';

/** A result as runBench returns it, with the figures a test sets. */
const result = (
  figures: {
    coldMs?: number;
    warmMs?: number;
    lifecycles?: number;
    p50?: number;
    p95?: number;
    cost?: number;
    transitions?: number;
    metricWrites?: number | string;
    errors?: number;
  } = {},
  ready = true,
): BenchResult => ({
  at: '2026-12-04T00:00:00.000Z',
  machine: { cpus: 2, node: 'v20.20.2', platform: 'linux' },
  options: {
    repeat: 1,
    coldRepeat: 1,
    orders: 10,
    customers: 2,
    baristas: 1,
    importRepeat: 1,
    skipReady: !ready,
  } as BenchResult['options'],
  services: ['config', 'orders', 'publisher', 'metrics'],
  ...(ready
    ? {
        ready: {
          coldMedianMs: figures.coldMs ?? 20_000,
          warmMedianMs: figures.warmMs ?? 8_000,
        } as NonNullable<BenchResult['ready']>,
      }
    : {}),
  runs: [],
  summary: {
    pushLatencyP50Ms: figures.p50 ?? 40,
    pushLatencyP95Ms: figures.p95 ?? 120,
    pushLatencyP99Ms: 200,
    lifecyclesPerSecond: figures.lifecycles ?? 60,
    errors: figures.errors ?? 0,
    metricsWritesPerEvent: figures.metricWrites ?? 0.15,
    perOrder: { ...ZERO_USAGE, standardTransitions: figures.transitions ?? 5 },
    costPerThousandOrders: {
      lines: {} as BenchResult['summary']['costPerThousandOrders']['lines'],
      total: figures.cost ?? 0.244,
    },
    fixedMonthly: {
      lines: {} as BenchResult['summary']['fixedMonthly']['lines'],
      total: 5,
      perThousandOrders: 0.05,
      inventory: ZERO_INVENTORY,
    },
    assumptions: DEFAULT_ASSUMPTIONS,
    mix: { cancelRate: 0.1, abandonRate: 0.05, customerSeconds: 10 },
    loadAverage: { atStart: [1, 1, 1], atEnd: [1, 1, 1] },
    cpuMsPerOrder: { total: 0 },
  },
  bundles: [],
  prices: { region: 'us-east-1', asOf: '2026-11-25' },
});

const byFigure = (r: BenchResult) =>
  Object.fromEntries(targetRows(r).map((row) => [row.figure, row]));

describe('bench targets', () => {
  it('puts each figure beside its target, the targets of issue 17 in one table', () => {
    expect(targetRows(result()).map(({ figure, target }) => [figure, target])).to.deep.equal([
      ['stack ready, first run (packaging every service)', '≤ 30 s'],
      ['stack ready, warm', '≤ 10 s'],
      ['complete order lifecycles/s at saturation', '≥ 50/s'],
      ['push latency p50 (bus → barista socket)', '≤ 50 ms'],
      ['push latency p95', '≤ 150 ms'],
      ['AWS cost per 1,000 orders', '≤ $0.300'],
      ['Standard state transitions per order', '≤ 10'],
      ['metric DynamoDB writes per event', '≤ 0.2'],
    ]);
  });

  [
    {
      name: 'meets every target with figures inside them',
      figures: {},
      missed: [],
    },
    {
      name: 'counts a figure equal to its limit as met (≤ and ≥)',
      figures: {
        coldMs: TARGETS.coldReadyMs,
        warmMs: TARGETS.warmReadyMs,
        lifecycles: TARGETS.lifecyclesPerSecond,
        p50: TARGETS.pushP50Ms,
        p95: TARGETS.pushP95Ms,
        cost: TARGETS.costPerThousand,
        transitions: TARGETS.transitionsPerOrder,
        metricWrites: TARGETS.metricWritesPerEvent,
      },
      missed: [],
    },
    {
      name: 'misses the figures of the 2026-11-26 run: warm start, throughput, push p50 and p95',
      figures: { coldMs: 28_200, warmMs: 14_500, lifecycles: 4.69, p50: 160, p95: 220 },
      missed: [
        'stack ready, warm',
        'complete order lifecycles/s at saturation',
        'push latency p50 (bus → barista socket)',
        'push latency p95',
      ],
    },
    {
      name: 'misses the first start just over 30 s and a cost just over $0.30',
      figures: { coldMs: 30_001, cost: 0.3001 },
      missed: ['stack ready, first run (packaging every service)', 'AWS cost per 1,000 orders'],
    },
  ].forEach((c) => {
    it(`${c.name}, and exits 0 either way`, () => {
      const r = result(c.figures);
      const rows = targetRows(r);
      expect(rows.filter((row) => row.met === false).map((row) => row.figure)).to.deep.equal(
        c.missed,
      );
      expect(rows.every((row) => row.met !== undefined)).to.equal(true);
      expect(benchExitCode(r)).to.equal(0);
      const text = targetsTable(rows, 0);
      expect(text).to.include(
        `${rows.length - c.missed.length} of ${rows.length} measured targets met`,
      );
      if (c.missed.length > 0) expect(text).to.include(`missed: ${c.missed.join(' · ')}`);
      else expect(text).not.to.include('missed');
    });
  });

  it('prints the measured value in the target’s unit', () => {
    const rows = byFigure(
      result({ coldMs: 28_200, warmMs: 14_500, lifecycles: 4.69, p50: 160.4, cost: 0.2441 }),
    );
    expect(rows['stack ready, first run (packaging every service)']?.measured).to.equal('28.2 s');
    expect(rows['stack ready, warm']?.measured).to.equal('14.5 s');
    expect(rows['complete order lifecycles/s at saturation']?.measured).to.equal('4.69/s');
    expect(rows['push latency p50 (bus → barista socket)']?.measured).to.equal('160 ms');
    expect(rows['AWS cost per 1,000 orders']?.measured).to.equal('$0.244');
  });

  it('marks what a run did not measure as such, neither met nor missed', () => {
    // --skip-ready: no start-up figures; --cold-repeat 0: no first-run figure (median of none).
    const skipped = byFigure(result({}, false));
    const noCold = byFigure(result({ coldMs: Number.NaN }));
    const noMetricWrites = byFigure(result({ metricWrites: 'n/a (no metrics service)' }));
    for (const row of [
      skipped['stack ready, first run (packaging every service)'],
      skipped['stack ready, warm'],
      noCold['stack ready, first run (packaging every service)'],
      noMetricWrites['metric DynamoDB writes per event'],
    ]) {
      expect(row).to.include({ measured: 'not measured', met: undefined });
    }
    expect(noCold['stack ready, warm']?.met).to.equal(true);
    expect(targetsTable(targetRows(result({}, false)), 0)).to.include(
      '6 of 6 measured targets met',
    );
  });

  it('exits 1 only when the workload had errors, and says so', () => {
    const failed = result({ errors: 2 });
    expect(benchExitCode(failed)).to.equal(1);
    expect(targetsTable(targetRows(failed), 2)).to.match(/^errors: 2 .*exit code 1\.$/m);
    expect(benchExitCode(result({ errors: 0, lifecycles: 1, warmMs: 60_000 }))).to.equal(0);
  });

  it('prints the table as `figure | measured | target | met?` in the bench report', () => {
    const text = benchReport(result({ warmMs: 14_500 }));
    const lines = text.split('\n');
    const header = lines.findIndex((l) => /^figure\s+measured\s+target\s+met\?$/.test(l));
    expect(header, text).to.be.at.least(0);
    expect(lines[header + 2]).to.match(
      /^stack ready, first run \(packaging every service\)\s+20 s\s+≤ 30 s\s+yes$/,
    );
    expect(lines[header + 3]).to.match(/^stack ready, warm\s+14\.5 s\s+≤ 10 s\s+NO$/);
  });
});
