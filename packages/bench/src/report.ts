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
    ['per completed order', 'count'],
    ['Lambda invocations', n2(u.lambdaInvocations)],
    ['Lambda GB-s (local timings: an upper bound)', u.lambdaGbSeconds.toFixed(4)],
    ['Step Functions Standard transitions', n2(u.standardTransitions)],
    ['Step Functions Express executions', n2(u.expressRequests)],
    ['DynamoDB write units', n2(u.dynamodbWriteUnits)],
    ['DynamoDB read units', n2(u.dynamodbReadUnits)],
    ['EventBridge events', n2(u.events)],
    ['SQS requests', n2(u.sqsRequests)],
    ['HTTP API requests', n2(u.httpRequests)],
    ['WebSocket messages (posts)', n2(u.websocketMessages)],
    ['WebSocket connection minutes', u.websocketConnectionMinutes.toFixed(4)],
  ]);
  const cost = table([
    [`cost per 1,000 orders (${r.prices.region} list prices as of ${r.prices.asOf})`, 'USD'],
    ...Object.entries(s.costPerThousandOrders.lines).map(([k, v]) => [k, `$${v.toFixed(4)}`]),
    ['total', `$${s.costPerThousandOrders.total.toFixed(4)}`],
  ]);
  return [
    `pnpm bench — ${r.at} — ${r.machine.cpus} CPUs, Node ${r.machine.node}; services ${r.services.join(', ')}`,
    `${r.options.repeat} runs of ${r.options.orders} orders (${r.options.customers} customers, ${r.options.baristas} baristas, no think/make time); medians`,
    '',
    headline,
    '',
    latencies,
    '',
    perOrder,
    '',
    cost,
    '',
    bundlesTable(r.bundles),
    bundlesSummary(r.bundles),
  ].join('\n');
};
