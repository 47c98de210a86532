import { table } from '@espresso/simulator';
import type { BenchResult } from './run';

/**
 * The targets `pnpm bench` compares its figures with (issue #8, then #17: this 2-core machine).
 * The one place they live: the printed table, its "met?" column, the bundle table and the
 * README's "Latest figures" read them from here. A missed target is reported, never failed:
 * only errors make `pnpm bench` exit non-zero (`benchExitCode`).
 */
export const TARGETS = {
  /** The first start of a fresh clone: every service packaged (`pnpm start`'s first run). */
  coldReadyMs: 30_000,
  warmReadyMs: 10_000,
  lifecyclesPerSecond: 50,
  pushP50Ms: 50,
  pushP95Ms: 150,
  costPerThousand: 0.3,
  transitionsPerOrder: 10,
  metricWritesPerEvent: 0.2,
  bundleBytes: 150 * 1024,
  coldImportMs: 60,
};

/** At most (`max`) or at least (`min`) the limit. */
type Bound = 'max' | 'min';

interface TargetSpec {
  figure: string;
  bound: Bound;
  limit: number;
  /** How a value (and the limit) prints. */
  unit: (v: number) => string;
  /** The figure in a result; undefined (or not finite) when this run did not measure it. */
  measure: (r: BenchResult) => number | undefined;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
const millis = (ms: number) => `${Math.round(ms)} ms`;
const perSecond = (v: number) => `${v.toFixed(2).replace(/\.?0+$/, '')}/s`;
const dollars = (v: number) => `$${v.toFixed(3)}`;
const plain = (v: number) => v.toFixed(2).replace(/\.?0+$/, '');

/** Every figure with a target, in the order the table prints them. */
export const TARGET_SPECS: TargetSpec[] = [
  {
    figure: 'stack ready, first run (packaging every service)',
    bound: 'max',
    limit: TARGETS.coldReadyMs,
    unit: seconds,
    measure: (r) => r.ready?.coldMedianMs,
  },
  {
    figure: 'stack ready, warm',
    bound: 'max',
    limit: TARGETS.warmReadyMs,
    unit: seconds,
    measure: (r) => r.ready?.warmMedianMs,
  },
  {
    figure: 'complete order lifecycles/s at saturation',
    bound: 'min',
    limit: TARGETS.lifecyclesPerSecond,
    unit: perSecond,
    measure: (r) => r.summary.lifecyclesPerSecond,
  },
  {
    figure: 'push latency p50 (bus → barista socket)',
    bound: 'max',
    limit: TARGETS.pushP50Ms,
    unit: millis,
    measure: (r) => r.summary.pushLatencyP50Ms,
  },
  {
    figure: 'push latency p95',
    bound: 'max',
    limit: TARGETS.pushP95Ms,
    unit: millis,
    measure: (r) => r.summary.pushLatencyP95Ms,
  },
  {
    figure: 'AWS cost per 1,000 orders',
    bound: 'max',
    limit: TARGETS.costPerThousand,
    unit: dollars,
    measure: (r) => r.summary.costPerThousandOrders.total,
  },
  {
    figure: 'Standard state transitions per order',
    bound: 'max',
    limit: TARGETS.transitionsPerOrder,
    unit: plain,
    measure: (r) => r.summary.perOrder.standardTransitions,
  },
  {
    figure: 'metric DynamoDB writes per event',
    bound: 'max',
    limit: TARGETS.metricWritesPerEvent,
    unit: plain,
    measure: (r) =>
      typeof r.summary.metricsWritesPerEvent === 'number'
        ? r.summary.metricsWritesPerEvent
        : undefined,
  },
];

export interface TargetRow {
  figure: string;
  measured: string;
  target: string;
  /** undefined: not measured in this run (e.g. `--skip-ready`). */
  met: boolean | undefined;
}

/** Each figure beside its target. */
export const targetRows = (r: BenchResult, specs: TargetSpec[] = TARGET_SPECS): TargetRow[] =>
  specs.map((spec) => {
    const value = spec.measure(r);
    const measured = value !== undefined && Number.isFinite(value);
    return {
      figure: spec.figure,
      measured: measured ? spec.unit(value) : 'not measured',
      target: `${spec.bound === 'max' ? '≤' : '≥'} ${spec.unit(spec.limit)}`,
      met: measured
        ? spec.bound === 'max'
          ? value <= spec.limit
          : value >= spec.limit
        : undefined,
    };
  });

const metText = (met: boolean | undefined) => (met === undefined ? '—' : met ? 'yes' : 'NO');

/** `figure | measured | target | met?`, then the run's errors and what was missed. */
export const targetsTable = (rows: TargetRow[], errors: number): string => {
  const missed = rows.filter((row) => row.met === false).map((row) => row.figure);
  const met = rows.filter((row) => row.met === true).length;
  const measured = rows.filter((row) => row.met !== undefined).length;
  return [
    table([
      ['figure', 'measured', 'target', 'met?'],
      ...rows.map((row) => [row.figure, row.measured, row.target, metText(row.met)]),
    ]),
    '',
    `${met} of ${measured} measured targets met${missed.length > 0 ? ` — missed: ${missed.join(' · ')}` : ''} (reported, not failed).`,
    errors === 0
      ? 'errors: 0.'
      : `errors: ${errors} (5xx, timeouts answered as 200, network errors, orders unfinished or ending otherwise than planned): the figures are not valid, exit code 1.`,
  ].join('\n');
};

/**
 * `pnpm bench`'s exit code: 1 when the workload had errors (its figures are not a valid
 * measurement), 0 otherwise — whatever targets were missed. A crash exits 1 too (cli.ts).
 */
export const benchExitCode = (r: Pick<BenchResult, 'summary'>): 0 | 1 =>
  r.summary.errors > 0 ? 1 : 0;
