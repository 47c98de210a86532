import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '@espresso/local-cloud';
import { BENCH_USAGE, parseBenchArgs } from './args';
import { loadPrices } from './cost';
import { hopsReport, runHopsOnly } from './hops';
import { benchReport, bundlesReport } from './report';
import { runBench, runBundlesOnly } from './run';
import { benchExitCode } from './targets';

/*
 * `pnpm bench`: measures, prints each figure beside its target (src/targets.ts), and writes them
 * as JSON under bench-results/. Exit code 1 only on errors (a crash, bad options, or errors in
 * the workload), never on a missed target.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Writes one part's figures (`--only`) as `<out>/<part>-<time>.json`. */
const writePart = async (out: string, part: string, result: { at: string }) => {
  await mkdir(out, { recursive: true });
  const file = path.join(out, `${part}-${result.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
};

const main = async () => {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(BENCH_USAGE);
    return;
  }
  const args = parseBenchArgs(argv, path.join(REPO_ROOT, 'bench-results'));
  if (args.only === 'bundles') {
    const result = await runBundlesOnly(args.importRepeat);
    console.log(bundlesReport(result));
    await writePart(args.out, 'bundles', result);
    return;
  }
  if (args.only === 'hops') {
    const result = await runHopsOnly(args.calls);
    console.log(hopsReport(result));
    await writePart(args.out, 'hops', result);
    return;
  }
  const result = await runBench({
    ...args,
    prices: await loadPrices(),
    log: (line) => console.error(`[bench] ${line}`),
  });
  console.log(benchReport(result));
  await mkdir(args.out, { recursive: true });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  const file = path.join(args.out, `bench-${result.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, json);
  await writeFile(path.join(args.out, 'latest.json'), json);
  console.log(`\nwritten: ${path.relative(process.cwd(), file)} (and latest.json)`);
  // Missed targets are in the table; only errors fail the command.
  process.exitCode = benchExitCode(result);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  console.error(`\n${BENCH_USAGE}`);
  process.exitCode = 1;
});
