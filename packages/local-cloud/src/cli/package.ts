/**
 * `pnpm package:service <service> [--stage <stage>] [--region <region>]`: `serverless package` for one service of
 * serverless-compose.yml, offline, with its compose params resolved — what an owner runs to see
 * the CloudFormation a deploy of just that service would upload. With no service
 * (`pnpm package --stage <stage>`): every service, each once those it needs are packaged.
 *
 * Each dependency's outputs come from compose's own state (`.serverless/state.<stage>.json` at
 * the root, written by `serverless deploy` / `serverless refresh-outputs`) when the stage is
 * deployed; otherwise the dependency is packaged too and its outputs are resolved offline to the
 * names the stage would have (account 000000000000: placeholders, good for reading the
 * template, not for deploying it). The package lands in `services/<service>/.serverless/`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOCAL_ACCOUNT_ID } from '../cloudformation';
import {
  afterParamSources,
  localOutputs,
  readCompose,
  resolveComposeParams,
  withDependencies,
} from '../compose';
import { buildResolveContext } from '../context';
import { COMPOSE_FILE, packageService, REPO_ROOT } from '../services';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { stage: { type: 'string', default: 'dev' }, region: { type: 'string' } },
});
// As serverless.common.yml's provider.region: --region, else AWS_REGION, else us-east-1; the
// framework reads it from AWS_REGION, and the placeholder ARNs of outputs resolved offline name it.
if (values.region) process.env.AWS_REGION = values.region;
const region = process.env.AWS_REGION ?? 'us-east-1';
const say = (line: string) => console.log(`[package] ${line}`);
const stage = values.stage;
const started = Date.now();
try {
  const composed = await readCompose(COMPOSE_FILE);
  // No service named: every service of serverless-compose.yml, in deploy order (`pnpm package`).
  const targets = positionals.length > 0 ? positionals : composed.map((s) => s.name);
  const chain = withDependencies(composed, targets);
  const stateFile = path.join(REPO_ROOT, '.serverless', `state.${stage}.json`);
  const deployed = existsSync(stateFile)
    ? ((
        JSON.parse(await readFile(stateFile, 'utf8')) as {
          components?: Record<string, { outputs?: Record<string, string> }>;
        }
      ).components ?? {})
    : {};
  const outputs: Record<string, Record<string, string>> = {};
  // Each service once the ones whose outputs its params use are packaged; the others at once.
  await afterParamSources(chain, async (service) => {
    const params = resolveComposeParams(service, outputs);
    const own = deployed[service.name]?.outputs;
    if (!targets.includes(service.name) && own && Object.keys(own).length > 0) {
      say(
        `${service.name}: outputs of the deployed stack (${path.relative(REPO_ROOT, stateFile)})`,
      );
      outputs[service.name] = own;
      return;
    }
    for (const [key, value] of Object.entries(params))
      say(`${service.name} --param ${key}=${value}`);
    const { template } = await packageService({
      name: service.name,
      dir: service.dir,
      stage,
      params,
      log: say,
    });
    outputs[service.name] = localOutputs(
      template,
      buildResolveContext([template], region, LOCAL_ACCOUNT_ID),
    );
    if (targets.includes(service.name)) {
      say(
        `${service.name} packaged for stage ${stage} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${path.relative(REPO_ROOT, path.join(service.dir, '.serverless'))}/`,
      );
    } else {
      say(`${service.name}: not deployed for ${stage}, outputs resolved offline (placeholders)`);
    }
  });
} catch (error) {
  console.error(`\n${(error as Error).message}`);
  process.exit(1);
}
