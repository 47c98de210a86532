/*
 * What the handlers print, as CloudWatch Logs would ingest it: the local stack's output lines
 * (`startStack({log})`) that hold a JSON object — Powertools Logger lines and the Metrics
 * utility's EMF blobs — sized in bytes, and the distinct custom metrics the EMF blobs define
 * (CloudWatch bills each metric name + dimension values per month). Other lines (serverless
 * offline's own, the local cloud's) are not on AWS and are not counted.
 */

interface EmfDirective {
  Namespace?: string;
  Dimensions?: string[][];
  Metrics?: { Name?: string }[];
}

export interface LogCounts {
  /** Bytes of handler log lines (JSON, not EMF) since the last reset. */
  handlerBytes: number;
  handlerLines: number;
  /** Bytes of EMF blobs since the last reset. */
  emfBytes: number;
  emfLines: number;
  /**
   * serverless offline's report of each invocation it ran (`(λ: fn) … Duration: 12.34 ms`):
   * how many, and the sum of their durations as Lambda bills them (1 ms steps).
   */
  invocations: number;
  billedMs: number;
  /**
   * Distinct custom metrics seen since the tally started: `perShop` those with a `shopId`
   * dimension, counted for one shop (their other dimension values and names); `perStage` the rest.
   */
  metrics: { perShop: number; perStage: number };
}

export interface LogTally {
  /** One output line of the stack (any prefix before the JSON object is ignored). */
  line(text: string): void;
  reset(): void;
  snapshot(): LogCounts;
}

/** The metrics one EMF blob defines: `namespace|metric|dim=value,…`, shop dimension apart. */
export const emfMetrics = (blob: Record<string, unknown>): { key: string; shop: boolean }[] => {
  const aws = blob._aws as { CloudWatchMetrics?: EmfDirective[] } | undefined;
  return (aws?.CloudWatchMetrics ?? []).flatMap((directive) =>
    (directive.Dimensions ?? [[]]).flatMap((dimensions) =>
      (directive.Metrics ?? []).map((metric) => {
        const shop = dimensions.includes('shopId');
        const values = dimensions
          .filter((d) => d !== 'shopId')
          .map((d) => `${d}=${String(blob[d])}`)
          .join(',');
        return { key: `${directive.Namespace}|${metric.Name}|${values}`, shop };
      }),
    ),
  );
};

const REPORT = /\(λ: [^)]+\) RequestId: \S+\s+Duration: ([\d.]+) ms/;
const zero = () => ({
  handlerBytes: 0,
  handlerLines: 0,
  emfBytes: 0,
  emfLines: 0,
  invocations: 0,
  billedMs: 0,
});

export const createLogTally = (): LogTally => {
  let counts = zero();
  const perShop = new Set<string>();
  const perStage = new Set<string>();
  return {
    line(text) {
      const report = REPORT.exec(text);
      if (report) {
        counts.invocations += 1;
        counts.billedMs += Math.max(1, Math.ceil(Number(report[1])));
        return;
      }
      const start = text.indexOf('{');
      if (start < 0) return;
      const body = text.slice(start).trim();
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return;
      }
      if (value === null || typeof value !== 'object') return;
      const record = value as Record<string, unknown>;
      const bytes = Buffer.byteLength(body) + 1;
      if (record._aws !== undefined) {
        counts.emfBytes += bytes;
        counts.emfLines += 1;
        for (const { key, shop } of emfMetrics(record)) (shop ? perShop : perStage).add(key);
      } else if (record.level !== undefined && record.message !== undefined) {
        counts.handlerBytes += bytes;
        counts.handlerLines += 1;
      }
    },
    reset() {
      counts = zero();
    },
    snapshot: () => ({ ...counts, metrics: { perShop: perShop.size, perStage: perStage.size } }),
  };
};
