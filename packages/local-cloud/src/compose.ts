import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { type ResolveContext, resolve, type Template } from './cloudformation';

export interface ComposeService {
  name: string;
  /** Absolute path of the service folder. */
  dir: string;
  /** Param name → value, possibly with `${service.Output}` references. */
  params: Record<string, string>;
  dependsOn: string[];
}

const REFERENCE = /\$\{(\w[\w-]*)\.(\w+)\}/g;

/**
 * The services of `serverless-compose.yml` in deploy order: a service comes after every
 * service whose outputs its params reference and every one in its `dependsOn`.
 */
export const readCompose = async (file: string): Promise<ComposeService[]> => {
  const doc = parse(await readFile(file, 'utf8')) as {
    services?: Record<
      string,
      { path: string; params?: Record<string, unknown>; dependsOn?: string | string[] }
    >;
  };
  const services = Object.entries(doc.services ?? {}).map(([name, s]): ComposeService => {
    const params = Object.fromEntries(
      Object.entries(s.params ?? {}).map(([key, value]) => [key, String(value)]),
    );
    const referenced = paramSources({ params });
    return {
      name,
      dir: path.resolve(path.dirname(file), s.path),
      params,
      dependsOn: [...new Set([...[s.dependsOn ?? []].flat(), ...referenced])],
    };
  });
  const ordered: ComposeService[] = [];
  const visiting = new Set<string>();
  const visit = (service: ComposeService) => {
    if (ordered.includes(service)) return;
    if (visiting.has(service.name)) throw new Error(`compose: dependency cycle at ${service.name}`);
    visiting.add(service.name);
    for (const dependency of service.dependsOn) {
      const found = services.find((s) => s.name === dependency);
      if (!found)
        throw new Error(`compose: ${service.name} depends on unknown service ${dependency}`);
      visit(found);
    }
    ordered.push(service);
  };
  for (const service of services) visit(service);
  return ordered;
};

/** The services whose outputs a service's params reference: what it needs before it is packaged. */
export const paramSources = (service: Pick<ComposeService, 'params'>): string[] => [
  ...new Set(
    Object.values(service.params).flatMap((value) =>
      [...value.matchAll(REFERENCE)].map((m) => String(m[1])),
    ),
  ),
];

/**
 * Runs `task` for each service (given in deploy order) once the tasks of the services its
 * params reference have finished, so services that need none of each other's outputs run at
 * once (`dependsOn` orders deploys, not packaging). The results in the services' order; the
 * first failure rejects.
 */
export const afterParamSources = async <T>(
  services: ComposeService[],
  task: (service: ComposeService) => Promise<T>,
): Promise<T[]> => {
  const runs = new Map<string, Promise<T>>();
  for (const service of services) {
    const before = paramSources(service).flatMap((name) => runs.get(name) ?? []);
    runs.set(
      service.name,
      Promise.all(before).then(() => task(service)),
    );
  }
  return Promise.all(services.map((service) => runs.get(service.name) as Promise<T>));
};

/** A service's CloudFormation outputs as the local stack resolves them (unresolvable ones left out). */
export const localOutputs = (
  template: Template,
  ctx: ResolveContext,
  overrides: Record<string, string> = {},
): Record<string, string> => {
  const outputs: Record<string, string> = {};
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    try {
      outputs[name] = String(resolve(output.Value, ctx));
    } catch {
      // e.g. an attribute that only exists on AWS; a param that needs it fails below
    }
  }
  return { ...outputs, ...overrides };
};

/** Replaces `${service.Output}` in compose params with the outputs of services already up. */
export const resolveComposeParams = (
  service: ComposeService,
  outputs: Record<string, Record<string, string>>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service.params).map(([key, value]) => [
      key,
      value.replace(REFERENCE, (_, from: string, output: string) => {
        const resolved = outputs[from]?.[output];
        if (resolved === undefined) {
          throw new Error(
            `compose: ${service.name} param ${key} needs ${from}.${output}, which is not available locally`,
          );
        }
        return resolved;
      }),
    ]),
  );

/**
 * The compose services `wanted` names plus every service they depend on (params and
 * `dependsOn`, transitively), in deploy order: what `pnpm start --services orders` runs.
 */
export const withDependencies = (
  composed: ComposeService[],
  wanted: string[],
): ComposeService[] => {
  const byName = new Map(composed.map((s) => [s.name, s]));
  const needed = new Set<string>();
  const add = (name: string, from?: string) => {
    const service = byName.get(name);
    if (!service) {
      const known = composed.map((s) => s.name).join(', ');
      throw new Error(
        from
          ? `compose: ${from} depends on unknown service ${name}`
          : `compose: unknown service ${name} (serverless-compose.yml has ${known})`,
      );
    }
    if (needed.has(name)) return;
    needed.add(name);
    for (const dependency of service.dependsOn) add(dependency, name);
  };
  for (const name of wanted) add(name);
  return composed.filter((s) => needed.has(s.name));
};
