import { parseArgs } from 'node:util';
import type { BenchWorkload } from './run';

export interface BenchArgs extends BenchWorkload {
  /**
   * Measure only this part (`bundles`: sizes and cold imports of the packages already built;
   * `hops`: the CPU of one of the local cloud's calls to itself).
   */
  only?: BenchPart;
  /** Calls of each hop at each concurrency (`--only hops`). */
  calls: number;
  out: string;
}

export const BENCH_PARTS = ['bundles', 'hops'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export const BENCH_USAGE = `pnpm bench [options]
  --repeat <n>         measured runs (and warm starts); figures are medians (default 3)
  --cold-repeat <n>    cold starts, each re-packaging every service (default 1; 0 skips)
  --orders <n>         orders per saturation run (default 60)
  --customers <n>      concurrent customers in a saturation run (default 8)
  --baristas <n>       baristas (default 4)
  --import-repeat <n>  fresh node processes per handler for the cold import time (default 5)
  --skip-ready         skip the stack start-up measurements
  --only bundles       only bundle sizes and cold imports of services/*/.serverless/
                       as packaged now (run \`pnpm package\` first); starts no stack
  --only hops          only the CPU of one call of the local cloud to itself (a PutEvents,
                       a SendMessage: SDK over loopback); starts no stack
  --calls <n>          calls of each hop, 1 and 4 in flight, after as many to warm up
                       (default 2000)
  --out <folder>       where the JSON goes (default bench-results/)
Prints each figure beside its target (src/targets.ts). Exit code 1 only on errors (bad options,
a crash, errors in the workload); a missed target is reported, never failed.`;

const positive = (name: string, text: string, min = 1) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number >= ${min}`);
  return n;
};

const part = (text: string): BenchPart => {
  const found = BENCH_PARTS.find((p) => p === text);
  if (!found) throw new Error(`--only must be one of: ${BENCH_PARTS.join(', ')}`);
  return found;
};

export const parseBenchArgs = (argv: string[], defaultOut: string): BenchArgs => {
  const { values } = parseArgs({
    args: argv,
    options: {
      repeat: { type: 'string', default: '3' },
      'cold-repeat': { type: 'string', default: '1' },
      orders: { type: 'string', default: '60' },
      customers: { type: 'string', default: '8' },
      baristas: { type: 'string', default: '4' },
      'import-repeat': { type: 'string', default: '5' },
      'skip-ready': { type: 'boolean', default: false },
      only: { type: 'string' },
      calls: { type: 'string', default: '2000' },
      out: { type: 'string', default: defaultOut },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    repeat: positive('repeat', values.repeat),
    coldRepeat: positive('cold-repeat', values['cold-repeat'], 0),
    orders: positive('orders', values.orders),
    customers: positive('customers', values.customers),
    baristas: positive('baristas', values.baristas),
    importRepeat: positive('import-repeat', values['import-repeat']),
    skipReady: values['skip-ready'],
    ...(values.only === undefined ? {} : { only: part(values.only) }),
    calls: positive('calls', values.calls),
    out: values.out,
  };
};
