import type { Progress, SimulationResult } from './engine';
import type { Summary } from './stats';

const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : '—');

/** A one-line progress bar: `[#####.....] 12/40 orders ended, 15 placed, 3.2 s`. */
export const progressBar = (p: Progress, width = 30): string => {
  const total = p.planned ?? Math.max(p.placed, 1);
  const filled = Math.min(width, Math.round((p.finished / total) * width));
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  return `[${bar}] ${p.finished}/${total} orders ended, ${p.placed} placed, ${(p.elapsedMs / 1000).toFixed(1)} s`;
};

/** A plain-text table; the first row is the header, the first column left-aligned. */
export const table = (rows: string[][]): string => {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
};

/** The summary a run prints: orders by outcome, latencies of the key steps, errors. */
export const summaryTable = (result: SimulationResult): string => {
  const outcomes = table([
    ['outcome', 'orders'],
    ...Object.entries(result.outcomes)
      .sort()
      .map(([k, v]) => [k, String(v)]),
    ['total', String(result.orders.length)],
  ]);
  const latencies = table([
    ['step', 'n', 'p50', 'p95', 'p99'],
    ...Object.entries(result.latencies).map(([name, s]: [string, Summary]) => [
      name,
      String(s.n),
      ms(s.p50),
      ms(s.p95),
      ms(s.p99),
    ]),
  ]);
  const requests = Object.values(result.requests).reduce((a, b) => a + b, 0);
  const errors = result.errors
    .slice(0, 5)
    .map((e) => `  ${e.route} ${e.message}`)
    .join('\n');
  return [
    outcomes,
    '',
    latencies,
    '',
    `${result.completedPerSecond.toFixed(2)} completed orders/s over ${(result.elapsedMs / 1000).toFixed(1)} s; ${requests} HTTP requests; ${result.pushesReceived} pushes received`,
    ...(result.duplicates.sent > 0
      ? [
          `requests sent twice: ${result.duplicates.sent} (answers ${Object.entries(
            result.duplicates.answers,
          )
            .map(([status, n]) => `${status}×${n}`)
            .join(', ')})`,
        ]
      : []),
    `errors: ${result.errors.length}${errors ? `\n${errors}` : ''}`,
    `orders that ended otherwise than planned: ${result.inconsistent.length}`,
  ].join('\n');
};
