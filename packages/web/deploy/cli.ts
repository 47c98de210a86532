/**
 * `pnpm web:publish --stage <stage> [--region <region>] [--no-build]`: builds the web app and
 * publishes it to the stage deployed in the AWS account of the current credentials — config.json
 * from the stacks' outputs, the files to the config service's bucket, a CloudFront invalidation
 * (`deploy/publish.ts`). Prints the app's URL.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { awsClients, publishWebApp } from './publish';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const say = (line: string) => console.log(`[web:publish] ${line}`);
try {
  const stage = values.stage;
  if (!stage)
    throw new Error('usage: pnpm web:publish --stage <stage> [--region <region>] [--no-build]');
  // As the services: --region, else the environment, else the framework's default.
  const region =
    values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!values['no-build']) {
    say('building (vite build)');
    await promisify(execFile)(path.join(webDir, 'node_modules', '.bin', 'vite'), ['build'], {
      cwd: webDir,
    });
  }
  const published = await publishWebApp({
    stage,
    distDir: path.join(webDir, 'dist'),
    clients: awsClients(region),
    log: say,
  });
  say(`${stage}: ${published.url}`);
} catch (error) {
  const { name, message } = error as Error;
  const hint =
    name === 'CredentialsProviderError'
      ? ' (AWS credentials: export AWS_PROFILE=… or aws sso login, as for the deploy)'
      : '';
  console.error(`[web:publish] ${message}${hint}`);
  process.exit(1);
}
