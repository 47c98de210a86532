/**
 * `pnpm start`: the whole system on this machine, no AWS account, no Docker.
 * Options: --services orders   (those services plus what they depend on in serverless-compose.yml)
 *          --no-persist  --verbose
 *          --web <folder>   serve a built web app (path from the repo root) with its /config.json
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readCompose, withDependencies } from '../compose';
import { checkJava } from '../dynamodb';
import { COMPOSE_FILE, REPO_ROOT } from '../services';
import { DEFAULT_STATE_DIR, startStack } from '../stack';
import { startStaticSite, WEB_PORT, webConfigFor } from '../web';

const { values } = parseArgs({
  options: {
    services: { type: 'string' },
    'no-persist': { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
    web: { type: 'string' },
  },
});

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const started = Date.now();
const say = (line: string) => console.log(`[espresso] ${line}`);

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

const stack = await startStack({
  ...(wanted ? { services: wanted } : {}),
  persist: !values['no-persist'],
  log: (line) => {
    if (values.verbose || !line.startsWith('[')) say(line);
  },
  progress: (step, ms) => say(`✓ ${step} (${(ms / 1000).toFixed(1)} s)`),
}).catch((error: Error) => {
  console.error(`\nThe local stack did not start: ${error.message}`);
  process.exit(1);
});

const { endpoints } = stack;
const rows: [string, string][] = [];
const web = values.web
  ? await startStaticSite({
      root: path.resolve(REPO_ROOT, values.web),
      port: WEB_PORT,
      config: webConfigFor(endpoints, stack.stage),
    }).catch(async (error: Error) => {
      console.error(`\nThe web app could not be served: ${error.message}`);
      await stack.stop();
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
say(`endpoints: ${path.join(DEFAULT_STATE_DIR, 'endpoints.json')}`);
if (web) say(`open ${web.url} — sign in as customer, barista or display (one tab each)`);
say(`try:  curl -s localhost:4010/shops/demo/config   ·   pnpm -s token --role admin --shop demo`);
say(`      pnpm local:status   (events, queues, executions)   ·   Ctrl-C stops everything`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await web?.stop();
  await stack.stop();
  say('stopped.');
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
