import { table } from '@espresso/simulator';
import type { BundleFigures } from './bundles';
import type { BenchResult, BundlesResult } from './run';
import { TARGETS, targetRows, targetsTable } from './targets';

const ms = (v: number | undefined) =>
  v !== undefined && Number.isFinite(v) ? `${Math.round(v)} ms` : '—';
const n2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');

/** One row per function: zip, minified module, cold import, against the issue #8 targets. */
export const bundlesTable = (bundles: BundleFigures[]): string =>
  table([
    ['function', 'zip', 'module (minified)', 'cold import (median)', 'of which our code', ''],
    ...bundles.map((b) => [
      `${b.service}/${b.function}`,
      kb(b.zipBytes),
      kb(b.moduleBytes),
      ms(b.coldImportMs),
      ms(b.ownImportMs),
      `${check(b.moduleBytes <= TARGETS.bundleBytes && b.coldImportMs <= TARGETS.coldImportMs)}${b.importError ? ` (import threw: ${b.importError.slice(0, 60)})` : ''}`,
    ]),
  ]);

const range = (values: number[], unit: (v: number) => string) => {
  if (values.length === 0) return '—';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? unit(lo) : `${unit(lo).replace(/ \S+$/, '')}–${unit(hi)}`;
};

/** The ranges over every function: "modules 12–140 KB (zips …), cold import 8–40 ms". */
export const bundlesSummary = (bundles: BundleFigures[]): string =>
  `${bundles.length} function${bundles.length === 1 ? '' : 's'}: modules ${range(
    bundles.map((b) => b.moduleBytes),
    kb,
  )} (zips ${range(
    bundles.map((b) => b.zipBytes),
    kb,
  )}), cold import ${range(
    bundles.map((b) => b.coldImportMs),
    ms,
  )}; ${bundles.filter((b) => b.moduleBytes <= TARGETS.bundleBytes && b.coldImportMs <= TARGETS.coldImportMs).length} within both targets`;

/** `pnpm bench --only bundles`, printed. */
export const bundlesReport = (r: BundlesResult): string =>
  [
    `pnpm bench --only bundles — ${r.at} — ${r.machine.cpus} CPUs, Node ${r.machine.node}; services ${r.services.join(', ')}; cold import median of ${r.importRepeat}`,
    ...(r.unpackaged.length > 0
      ? [`not packaged (run \`pnpm package\`): ${r.unpackaged.join(', ')}`]
      : []),
    '',
    bundlesTable(r.bundles),
    '',
    bundlesSummary(r.bundles),
  ].join('\n');

/** The figures as `pnpm bench` prints them. */
export const benchReport = (r: BenchResult): string => {
  const s = r.summary;
  const u = s.perOrder;
  const headline = targetsTable(targetRows(r), s.errors);
  const latencies = table([
    ['other figures', 'measured'],
    ['push latency p99', ms(s.pushLatencyP99Ms)],
    ['errors (all runs)', String(s.errors)],
  ]);
  const perOrder = table([
    ['per order placed', 'count'],
    ['Lambda invocations', n2(u.lambdaInvocations)],
    ['Lambda GB-s (local timings: an upper bound)', u.lambdaGbSeconds.toFixed(4)],
    ['Step Functions Standard transitions', n2(u.standardTransitions)],
    ['Step Functions Express executions', n2(u.expressRequests)],
    ['DynamoDB write units', n2(u.dynamodbWriteUnits)],
    ['DynamoDB write units of failed conditional writes', n2(u.dynamodbFailedWriteUnits)],
    ['DynamoDB read units', n2(u.dynamodbReadUnits)],
    ['DynamoDB bytes stored', n2(u.dynamodbStoredBytes)],
    ['EventBridge events', n2(u.events)],
    ['SQS requests', n2(u.sqsRequests)],
    ['HTTP API requests', n2(u.httpRequests)],
    ['WebSocket messages (posts)', n2(u.websocketMessages)],
    ['WebSocket connection minutes', u.websocketConnectionMinutes.toFixed(4)],
    ['CloudWatch Logs bytes (handlers, EMF, platform, access logs)', n2(u.logBytes)],
    ['X-Ray trace roots before sampling (Lambda invocations)', n2(u.traceRoots)],
  ]);
  const cpu = table([
    ['CPU per order placed, by process (user + system, /proc)', 'ms'],
    ...Object.entries(s.cpuMsPerOrder ?? {}).map(([k, v]) => [k, String(Math.round(v))]),
  ]);
  const cost = table([
    [`cost per 1,000 orders (${r.prices.region} list prices as of ${r.prices.asOf})`, 'USD'],
    ...Object.entries(s.costPerThousandOrders.lines).map(([k, v]) => [k, `$${v.toFixed(4)}`]),
    ['total', `$${s.costPerThousandOrders.total.toFixed(4)}`],
  ]);
  const f = s.fixedMonthly;
  const a = s.assumptions;
  const fixed = table([
    ['fixed monthly cost of a stage', 'USD / month'],
    ...Object.entries(f.lines).map(([k, v]) => [k, `$${v.toFixed(4)}`]),
    ['total', `$${f.total.toFixed(2)}`],
    [
      `per 1,000 orders at ${a.ordersPerMonth.toLocaleString('en-US')} orders/month`,
      `$${f.perThousandOrders.toFixed(4)}`,
    ],
  ]);
  const inv = f.inventory;
  const assumptions = [
    `fixed: ${inv.dashboards} dashboard(s), ${inv.alarms} alarms, ${inv.customMetricsPerStage} + ${inv.customMetricsPerShop} per shop × ${a.shops} shop(s) custom metrics, ${inv.customerManagedKeys} customer managed key(s), ${inv.awsManagedKeyTables} tables on the AWS managed key (${a.kmsRequestsPerTableMonth} KMS requests each a month).`,
    `assumed: ${a.ordersPerMonth.toLocaleString('en-US')} orders/month spread evenly (X-Ray default sampling: 1/s + 5 %), logs kept ${a.logRetentionDays} days, orders kept ${a.storedMonths} month(s) in the tables.`,
    `mix: ${Math.round(s.mix.cancelRate * 100)} % cancelled by the barista, ${Math.round(s.mix.abandonRate * 100)} % abandoned (customer timeout ${s.mix.customerSeconds} s), the rest completed; per order placed.`,
    `load average ${s.loadAverage.atStart.map((v) => v.toFixed(2)).join(' ')} at the start, ${s.loadAverage.atEnd.map((v) => v.toFixed(2)).join(' ')} at the end.`,
  ].join('\n');
  return [
    `pnpm bench — ${r.at} — ${r.machine.cpus} CPUs, Node ${r.machine.node}; services ${r.services.join(', ')}`,
    `${r.options.repeat} runs of ${r.options.orders} orders (${r.options.customers} customers, ${r.options.baristas} baristas, no think/make time, the mix below); medians`,
    '',
    headline,
    '',
    latencies,
    '',
    perOrder,
    '',
    cpu,
    `${r.machine.cpus} CPUs: at most ${Math.round(r.machine.cpus * 1000)} CPU ms a second, so ${Math.round((r.machine.cpus * 1000) / Math.max(1, s.cpuMsPerOrder?.total ?? 0))} orders/s at best with this much CPU per order.`,
    '',
    cost,
    '',
    fixed,
    assumptions,
    '',
    bundlesTable(r.bundles),
    bundlesSummary(r.bundles),
  ].join('\n');
};
