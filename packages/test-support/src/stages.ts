import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AWS_PORTS,
  buildResolveContext,
  COMPOSE_FILE,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  localOutputs,
  packageService,
  readCompose,
  resolveComposeParams,
  type Template,
  withDependencies,
} from '@espresso/local-cloud';
import { packageForTest } from './template';

export interface PackagedTemplate {
  service: string;
  template: Template;
  /** The JSON text `serverless package` wrote (what cfn-lint reads, line for line). */
  text: string;
}

/**
 * Every service of serverless-compose.yml packaged for `stage` in deploy order, each with its
 * compose params resolved from the outputs of the services before it (placeholder account),
 * into temp folders: what `pnpm package --stage <stage>` builds, leaving `.serverless` alone.
 */
export const packageStage = async (stage: string): Promise<PackagedTemplate[]> => {
  const composed = await readCompose(COMPOSE_FILE);
  const outputs: Record<string, Record<string, string>> = {};
  const packaged: PackagedTemplate[] = [];
  for (const service of withDependencies(
    composed,
    composed.map((s) => s.name),
  )) {
    const params = resolveComposeParams(service, outputs);
    const { template, templateText } = await packageForTest(service.dir, stage, params);
    packaged.push({ service: service.name, template, text: templateText });
    outputs[service.name] = localOutputs(
      template,
      buildResolveContext([template], 'us-east-1', LOCAL_ACCOUNT_ID),
    );
  }
  return packaged;
};

/**
 * The templates of the local stack (stage `local`) as a test's `startTestStack` and
 * `pnpm start` package them into each `services/<service>/.serverless/`: with the same params
 * (the local names; the issuer at its default port, as the stack packages it), so packaging is
 * skipped when a stack already did it, and a stack started after this reuses it.
 */
export const packageLocalStage = async (
  log: (line: string) => void = () => undefined,
): Promise<PackagedTemplate[]> => {
  const composed = await readCompose(COMPOSE_FILE);
  const issuerUrl = `http://127.0.0.1:${AWS_PORTS.identity}/local-pool`;
  const outputs: Record<string, Record<string, string>> = {};
  const packaged: PackagedTemplate[] = [];
  for (const service of withDependencies(
    composed,
    composed.map((s) => s.name),
  )) {
    const params = resolveComposeParams(service, outputs);
    if (params.issuerUrl !== undefined) params.issuerUrl = issuerUrl;
    await packageService({ name: service.name, dir: service.dir, stage: 'local', params, log });
    const text = await readFile(
      path.join(service.dir, '.serverless', 'cloudformation-template-update-stack.json'),
      'utf8',
    );
    const template = JSON.parse(text) as Template;
    packaged.push({ service: service.name, template, text });
    outputs[service.name] = localOutputs(
      template,
      buildResolveContext([template], LOCAL_REGION, LOCAL_ACCOUNT_ID),
      { IssuerUrl: issuerUrl },
    );
  }
  return packaged;
};
