/**
 * `pnpm start`: the whole system on this machine, no AWS account, no Docker.
 * Options: --services config,orders  --no-persist  --verbose
 */
import { parseArgs } from 'node:util';
import { checkJava } from '../dynamodb';
import type { ServiceName } from '../services';
import { AWS_PORTS, DEFAULT_STATE_DIR, startStack } from '../stack';

const { values } = parseArgs({
  options: {
    services: { type: 'string' },
    'no-persist': { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
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

const stack = await startStack({
  ...(values.services ? { services: values.services.split(',') as ServiceName[] } : {}),
  persist: !values['no-persist'],
  log: (line) => {
    if (values.verbose || !line.startsWith('[')) say(line);
  },
}).catch((error: Error) => {
  console.error(`\nThe local stack did not start: ${error.message}`);
  process.exit(1);
});

const { endpoints } = stack;
say(
  `ready in ${((Date.now() - started) / 1000).toFixed(1)} s — endpoints in ${DEFAULT_STATE_DIR}/endpoints.json`,
);
for (const [name, url] of Object.entries(endpoints)) {
  if (typeof url === 'string') say(`  ${name.padEnd(10)} ${url}`);
}
if (endpoints.publisher) say(`  publisher  ${endpoints.publisher.ws}`);
say(`  dynamodb   ${endpoints.aws.dynamodb}   (port ${AWS_PORTS.dynamodb})`);
say(`  events     ${endpoints.aws.events}   (port ${AWS_PORTS.events})`);
say(`  issuer     ${endpoints.identity.issuer}`);
say('try:  curl -s localhost:4010/shops/demo/config');
say('      pnpm -s token --role admin --shop demo');
say('Ctrl-C stops everything.');

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
