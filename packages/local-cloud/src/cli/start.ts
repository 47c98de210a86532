/**
 * `pnpm start`: the whole system on this machine, no AWS account, no Docker.
 * Options: --services orders   (those services plus what they depend on in serverless-compose.yml)
 *          --no-persist  --verbose
 *          --web <folder>   serve a built web app (path from the repo root) with its /config.json
 *          --ports free  --state-dir <folder>   any free ports and another state folder than
 *                           `.local/` (a second stack beside `pnpm start`'s, e.g. a test's)
 *
 * Ctrl-C or SIGTERM: stops the stack, prints "stopped." last and exits 0. A second one (0.5 s or
 * more after the first) exits at once with 128 + the signal's number (130, 143), the stack's
 * processes killed as this one exits. The root `pnpm start` runs this through
 * scripts/start.mjs, so that pnpm reports no error for a Ctrl-C.
 */
import { constants } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readCompose, withDependencies } from '../compose';
import { checkJava } from '../dynamodb';
import { COMPOSE_FILE, REPO_ROOT } from '../services';
import { DEFAULT_STATE_DIR, type Stack, startStack } from '../stack';
import { type StaticSite, startStaticSite, WEB_PORT, webConfigFor } from '../web';

const { values } = parseArgs({
  options: {
    services: { type: 'string' },
    'no-persist': { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
    web: { type: 'string' },
    ports: { type: 'string', default: 'fixed' },
    'state-dir': { type: 'string' },
  },
});
if (values.ports !== 'fixed' && values.ports !== 'free') {
  console.error(`--ports is fixed (the documented ports) or free, not ${values.ports}`);
  process.exit(1);
}
const ports = values.ports;
const stateDir = values['state-dir'] ? path.resolve(values['state-dir']) : DEFAULT_STATE_DIR;

const say = (line: string) => console.log(`[espresso] ${line}`);

// Stopping. Handlers go on first, so a Ctrl-C while the stack starts stops it too (its processes,
// tracked by trackChild, are killed as this process exits).
let stack: Stack | undefined;
let web: StaticSite | undefined;
let stopping = false;
let firstSignalAt = 0;
/**
 * A terminal sends Ctrl-C to the whole process group, and a wrapper (pnpm, tsx) may pass it on
 * once more: a signal this soon after the first is the same Ctrl-C, not a second one.
 */
const SAME_SIGNAL_MS = 500;
const onSignal = (signal: NodeJS.Signals) => {
  // Tells scripts/start.mjs (when it started this) that the signal arrived: it need not pass it on.
  process.send?.({ type: 'signal', signal });
  if (!stopping) {
    stopping = true;
    firstSignalAt = Date.now();
    void shutdown();
    return;
  }
  if (Date.now() - firstSignalAt < SAME_SIGNAL_MS) return;
  const code = 128 + constants.signals[signal];
  console.error(
    `[espresso] ${signal} again: exiting now (exit code ${code}), not waiting for the stack`,
  );
  process.exit(code);
};
const shutdown = async () => {
  say('stopping…');
  try {
    await web?.stop();
    await stack?.stop();
  } catch (error) {
    console.error(`[espresso] while stopping: ${(error as Error).message}`);
  }
  say('stopped.');
  process.exit(0);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// From when `pnpm start` began (scripts/start.mjs passes its start: the web build and this
// process's own loading count), else from this process's start.
const started = Number(process.env.ESPRESSO_STARTED_AT) || Math.round(performance.timeOrigin);
try {
  say(`java: ${await checkJava()}`);
} catch (error) {
  console.error(`\n${(error as Error).message}\n`);
  process.exit(1);
}

const wanted = values.services?.split(',').filter((name) => name.length > 0);
if (wanted) {
  try {
    const running = withDependencies(await readCompose(COMPOSE_FILE), wanted).map((s) => s.name);
    const added = running.filter((name) => !wanted.includes(name));
    say(
      `services: ${running.join(', ')}${added.length ? ` (${added.join(', ')}: dependencies in serverless-compose.yml)` : ''}`,
    );
  } catch (error) {
    console.error(`\n${(error as Error).message}\n`);
    process.exit(1);
  }
}

stack = await startStack({
  ...(wanted ? { services: wanted } : {}),
  persist: !values['no-persist'],
  ports,
  stateDir,
  log: (line) => {
    if (values.verbose || !line.startsWith('[')) say(line);
  },
  progress: (step, ms) => say(`✓ ${step} (${(ms / 1000).toFixed(1)} s)`),
}).catch((error: Error) => {
  // Stopped while starting: shutdown() reports and exits.
  if (stopping) return new Promise<never>(() => undefined);
  console.error(`\nThe local stack did not start: ${error.message}`);
  process.exit(1);
});
if (stopping) await new Promise<never>(() => undefined);

const { endpoints } = stack;
const rows: [string, string][] = [];
web = values.web
  ? await startStaticSite({
      root: path.resolve(REPO_ROOT, values.web),
      port: ports === 'free' ? 0 : WEB_PORT,
      config: webConfigFor(endpoints, stack.stage),
    }).catch(async (error: Error) => {
      console.error(`\nThe web app could not be served: ${error.message}`);
      await stack?.stop();
      process.exit(1);
    })
  : undefined;
if (web) rows.push(['web app', web.url]);
for (const name of ['config', 'orders', 'metrics'] as const) {
  const url = endpoints[name];
  if (url) rows.push([`${name} API`, url]);
}
if (endpoints.publisher) rows.push(['publisher WebSocket', endpoints.publisher.ws]);
for (const [name, url] of Object.entries(endpoints.services ?? {})) rows.push([name, url]);
rows.push(
  ['DynamoDB', endpoints.aws.dynamodb],
  ['EventBridge', endpoints.aws.events],
  ['SQS', endpoints.aws.sqs],
  ['Step Functions', endpoints.aws.sfn],
  ['token issuer', endpoints.identity.issuer],
);
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, url] of rows) say(`  ${name.padEnd(width)}  ${url}`);
say(`endpoints: ${path.join(stateDir, 'endpoints.json')}`);
if (web) say(`open ${web.url} — sign in as customer, barista or display (one tab each)`);
say(`try:  curl -s localhost:4010/shops/demo/config   ·   pnpm -s token --role admin --shop demo`);
say(`      pnpm local:status   (events, queues, executions)   ·   Ctrl-C stops everything`);
