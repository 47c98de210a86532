import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSimulateArgs, SIMULATE_USAGE } from './args';
import { simulate } from './engine';
import { createHttp } from './http';
import { progressBar, summaryTable } from './report';
import { putShop, readShop, simShopConfig } from './shop';
import { fileTokens, localTarget, type Target } from './target';

/*
 * `pnpm simulate`: a busy shop against the running local stack (`pnpm start`) or a deployed
 * stage. A thin wrapper over `simulate()`; everything it prints comes from the result.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const main = async () => {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(SIMULATE_USAGE);
    return;
  }
  const args = parseSimulateArgs(argv, path.join(ROOT, '.local', 'endpoints.json'), process.env);
  let target: Target;
  if (args.configUrl || args.ordersUrl) {
    if (!args.configUrl || !args.ordersUrl || !args.tokens) {
      throw new Error('a deployed stage needs --config-url, --orders-url and --tokens');
    }
    target = {
      config: args.configUrl,
      orders: args.ordersUrl,
      ...(args.wsUrl ? { ws: args.wsUrl } : {}),
      token: await fileTokens(args.tokens),
    };
  } else {
    target = await localTarget(args.endpoints);
  }
  const http = createHttp({ requests: {}, errors: [] });
  if (
    args.setup ||
    args.customerTimeout !== undefined ||
    !(await readShop(target, http, args.shop))
  ) {
    await putShop(
      target,
      http,
      args.shop,
      simShopConfig({
        name: `Simulated bar ${args.shop}`,
        ...(args.customerTimeout ? { customerSeconds: args.customerTimeout } : {}),
      }),
    );
    console.error(`shop ${args.shop}: busy-shop config written`);
  }
  const tty = process.stderr.isTTY;
  let last = 0;
  const result = await simulate({
    target,
    shopId: args.shop,
    customers: args.customers,
    baristas: args.baristas,
    ...(args.orders === undefined ? {} : { orders: args.orders }),
    ...(args.durationMs === undefined ? {} : { durationMs: args.durationMs }),
    cancelRate: args.cancelRate,
    abandonRate: args.abandonRate,
    duplicateRate: args.duplicateRate,
    thinkTimeMs: args.thinkTimeMs,
    makeTimeMs: args.makeTimeMs,
    seed: args.seed,
    onProgress(p) {
      if (tty) process.stderr.write(`\r${progressBar(p)}`);
      else if (Date.now() - last > 2000) {
        last = Date.now();
        process.stderr.write(`${progressBar(p)}\n`);
      }
    },
  });
  if (tty) process.stderr.write('\n');
  if (args.json) console.log(JSON.stringify(result, null, 2));
  else console.log(summaryTable(result));
  if (result.errors.length > 0 || result.inconsistent.length > 0) process.exitCode = 1;
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(`\n${SIMULATE_USAGE}`);
  process.exitCode = 2;
});
