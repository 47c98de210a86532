import {
  AWS_PORTS,
  afterParamSources,
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
import { type PackagedService, packageForTest } from './template';

export interface PackagedTemplate {
  service: string;
  template: Template;
  /** The JSON text `serverless package` wrote (what cfn-lint reads, line for line). */
  text: string;
  /** The params it was packaged with, resolved as compose resolves them. */
  params: Record<string, string>;
}

type ComposeService = Awaited<ReturnType<typeof readCompose>>[number];

/**
 * Packages services of serverless-compose.yml (`names`, default all, with the services they
 * need), each once the services whose outputs its params reference are packaged (the others at
 * once), with its compose params resolved from those outputs (placeholder account; `overrides`
 * replace outputs the way the caller's stack answers them). The results in deploy order.
 */
const packageInComposeOrder = async <
  T extends { template: Template; overrides?: Record<string, string> },
>(
  packageOne: (service: ComposeService, params: Record<string, string>) => Promise<T>,
  names?: string[],
): Promise<(T & { service: string; params: Record<string, string> })[]> => {
  const composed = await readCompose(COMPOSE_FILE);
  const outputs: Record<string, Record<string, string>> = {};
  return afterParamSources(
    withDependencies(composed, names ?? composed.map((s) => s.name)),
    async (service) => {
      const params = resolveComposeParams(service, outputs);
      const packaged = await packageOne(service, params);
      outputs[service.name] = localOutputs(
        packaged.template,
        buildResolveContext([packaged.template], LOCAL_REGION, LOCAL_ACCOUNT_ID),
        packaged.overrides,
      );
      return { ...packaged, service: service.name, params };
    },
  );
};

/**
 * Every service of serverless-compose.yml packaged for `stage`, each with its compose params
 * resolved from the outputs of the services it needs (placeholder account),
 * into temp folders: what `pnpm package --stage <stage>` builds, leaving `.serverless` alone.
 */
export const packageStage = async (stage: string): Promise<PackagedTemplate[]> =>
  (
    await packageInComposeOrder((service, params) => packageForTest(service.dir, stage, params))
  ).map(({ service, template, templateText, params }) => ({
    service,
    template,
    text: templateText,
    params,
  }));

/**
 * One service packaged for `stage` as packageStage packages it — after the services its params
 * come from, whose outputs give them — for a service's template tests. Within a `pnpm test` run
 * each of those packagings is shared with the other tests of the stage (packageForTest).
 */
export const packageStageService = async (
  name: string,
  stage: string,
): Promise<PackagedService & { params: Record<string, string> }> => {
  const packaged = await packageInComposeOrder(
    (service, params) => packageForTest(service.dir, stage, params),
    [name],
  );
  const own = packaged.find((p) => p.service === name);
  if (!own) throw new Error(`serverless-compose.yml has no service ${name}`);
  return own;
};

/**
 * The templates of the local stack (stage `local`) as a test's `startTestStack` and
 * `pnpm start` package them into each `services/<service>/.serverless/`: with the same params
 * (the local names; the issuer at its default port, as the stack packages it), so packaging is
 * skipped when a stack already did it, and a stack started after this reuses it.
 */
export const packageLocalStage = (
  log: (line: string) => void = () => undefined,
): Promise<PackagedTemplate[]> => {
  const issuerUrl = `http://127.0.0.1:${AWS_PORTS.identity}/local-pool`;
  return packageInComposeOrder(async (service, params) => {
    if (params.issuerUrl !== undefined) params.issuerUrl = issuerUrl;
    const { template, text } = await packageService({
      name: service.name,
      dir: service.dir,
      stage: 'local',
      params,
      log,
    });
    return { template, text, overrides: { IssuerUrl: issuerUrl } };
  });
};
