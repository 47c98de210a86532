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
import { packageForTest } from './template';

export interface PackagedTemplate {
  service: string;
  template: Template;
  /** The JSON text `serverless package` wrote (what cfn-lint reads, line for line). */
  text: string;
}

type PackageOne = (
  service: Awaited<ReturnType<typeof readCompose>>[number],
  params: Record<string, string>,
) => Promise<{ template: Template; text: string; overrides?: Record<string, string> }>;

/**
 * Packages every service of serverless-compose.yml, each once the services whose outputs its
 * params reference are packaged (the others at once), with its compose params resolved from
 * those outputs (placeholder account; `overrides` replace outputs the way the caller's stack
 * answers them). The templates in deploy order.
 */
const packageInComposeOrder = async (packageOne: PackageOne): Promise<PackagedTemplate[]> => {
  const composed = await readCompose(COMPOSE_FILE);
  const outputs: Record<string, Record<string, string>> = {};
  return afterParamSources(
    withDependencies(
      composed,
      composed.map((s) => s.name),
    ),
    async (service) => {
      const { template, text, overrides } = await packageOne(
        service,
        resolveComposeParams(service, outputs),
      );
      outputs[service.name] = localOutputs(
        template,
        buildResolveContext([template], LOCAL_REGION, LOCAL_ACCOUNT_ID),
        overrides,
      );
      return { service: service.name, template, text };
    },
  );
};

/**
 * Every service of serverless-compose.yml packaged for `stage`, each with its compose params
 * resolved from the outputs of the services it needs (placeholder account),
 * into temp folders: what `pnpm package --stage <stage>` builds, leaving `.serverless` alone.
 */
export const packageStage = (stage: string): Promise<PackagedTemplate[]> =>
  packageInComposeOrder(async (service, params) => {
    const { template, templateText } = await packageForTest(service.dir, stage, params);
    return { template, text: templateText };
  });

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
