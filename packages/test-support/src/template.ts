import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Template, whilePackaging, zipEntries } from '@espresso/local-cloud';

const run = promisify(execFile);

export interface PackagedService {
  template: Template;
  /** The template as `serverless package` wrote it (for cfn-lint, whose lines are its lines). */
  templateText: string;
  /** The zip files `serverless package` wrote, one per function when packaged individually. */
  artifacts: string[];
  /** What each of those zips holds: entry name → uncompressed bytes. */
  contents: Record<string, { name: string; bytes: number }[]>;
  /** What the framework and its plugins left in the temp folder they were given (TMPDIR). */
  leftInTemp: string[];
}

/**
 * The framework's environment: this process's without a region of the shell (provider.region
 * reads `AWS_REGION`, so a developer's exported region would move the templates the tests
 * compare off us-east-1), plus what the test asks for.
 */
const frameworkEnv = (env: Record<string, string> = {}) => ({
  ...process.env,
  AWS_REGION: undefined,
  ...env,
  SLS_TELEMETRY_DISABLED: '1',
});

/**
 * Runs `fn` with the service's `.serverless/` moved aside and puts it back after: the framework
 * deletes that folder even when packaging into another (`--package`), which made the next stack
 * of the service package it again (≈ 5 s a service) — and, with two test lanes, could replace the
 * bundles under a running stack of the other lane. Call it holding the packaging lock.
 */
const keepingOwnPackage = async <T>(serviceDir: string, fn: () => Promise<T>): Promise<T> => {
  const own = path.join(serviceDir, '.serverless');
  const aside = path.join(serviceDir, '.serverless-kept');
  // One left by a run that died here is older than what `own` holds, if `own` exists.
  if (existsSync(aside)) {
    if (existsSync(own)) await rm(aside, { recursive: true, force: true });
    else await rename(aside, own);
  }
  const kept = existsSync(own);
  if (kept) await rename(own, aside);
  try {
    return await fn();
  } finally {
    if (kept) {
      await rm(own, { recursive: true, force: true });
      await rename(aside, own);
    }
  }
};

/** What identifies a packaging: the service folder, the stage and the params. */
const packagingKey = (serviceDir: string, stage: string, params: Record<string, string>) =>
  `${path.basename(serviceDir)}-${stage}-${createHash('sha256')
    .update(JSON.stringify({ serviceDir: path.resolve(serviceDir), stage, params }))
    .digest('hex')
    .slice(0, 32)}`;

/**
 * Where this `pnpm test` run keeps what packageForTest packaged (ESPRESSO_PACKAGE_CACHE, a temp
 * folder scripts/test.mjs makes and removes), one JSON file per service, stage and params: another
 * job packaging the same gets it instead of packaging again. Kept for one run only, so a change
 * to a plugin or serverless.yml between runs is always packaged.
 */
const cachedPackageFile = (key: string) => {
  const folder = process.env.ESPRESSO_PACKAGE_CACHE;
  return folder ? path.join(folder, `${key}.json`) : undefined;
};

/** This process's packagings (a mocha run of one package's tests), by packagingKey. */
const packagedHere = new Map<string, Promise<Omit<PackagedService, 'template'>>>();

/** Runs `serverless package` into a temp folder and reads what it wrote. */
const packageIntoTemp = async (
  serviceDir: string,
  stage: string,
  params: Record<string, string>,
): Promise<Omit<PackagedService, 'template'>> => {
  const out = await mkdtemp(path.join(os.tmpdir(), 'espresso-package-'));
  // A temp folder of its own, to see what packaging leaves behind in one.
  const temp = await mkdtemp(path.join(os.tmpdir(), 'espresso-package-tmp-'));
  try {
    await keepingOwnPackage(serviceDir, () =>
      run(
        path.join(serviceDir, 'node_modules', '.bin', 'serverless'),
        [
          'package',
          '--stage',
          stage,
          '--package',
          out,
          ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
        ],
        { cwd: serviceDir, env: frameworkEnv({ TMPDIR: temp }), maxBuffer: 1 << 24 },
      ),
    );
    const leftInTemp = await readdir(temp);
    const templateText = await readFile(
      path.join(out, 'cloudformation-template-update-stack.json'),
      'utf8',
    );
    const artifacts = (await readdir(out)).filter((f) => f.endsWith('.zip'));
    const contents: PackagedService['contents'] = {};
    for (const zip of artifacts) contents[zip] = await zipEntries(path.join(out, zip));
    return { templateText, artifacts, contents, leftInTemp };
  } finally {
    await rm(out, { recursive: true, force: true });
    await rm(temp, { recursive: true, force: true });
  }
};

/**
 * Runs the real `serverless package` for a service into a temp folder (never touching the
 * service's own `.serverless`) and returns the CloudFormation it would deploy. A service, stage
 * and params are packaged once per process, and once per `pnpm test` run (cachedPackageFile).
 */
export const packageForTest = async (
  serviceDir: string,
  stage: string,
  params: Record<string, string> = {},
): Promise<PackagedService> => {
  const key = packagingKey(serviceDir, stage, params);
  let packaging = packagedHere.get(key);
  if (!packaging) {
    packaging = packageOnce(serviceDir, stage, params, cachedPackageFile(key));
    packagedHere.set(key, packaging);
    // A failed packaging is not kept: the next caller tries again.
    packaging.catch(() => packagedHere.delete(key));
  }
  const packaged = await packaging;
  // Each caller gets its own template object to read (and change, if it must).
  return { ...packaged, template: JSON.parse(packaged.templateText) as Template };
};

/** Packages, or reads the run's packaging from `cached` when another job wrote it. */
const packageOnce = (
  serviceDir: string,
  stage: string,
  params: Record<string, string>,
  cached: string | undefined,
) =>
  // The service's own .esbuild/ is rebuilt: one packaging of a folder at a time. The cache is
  // read under the same lock, so a second job asking for the same waits for the first's file.
  whilePackaging(serviceDir, async () => {
    if (cached && existsSync(cached)) {
      return JSON.parse(await readFile(cached, 'utf8')) as Omit<PackagedService, 'template'>;
    }
    const fresh = await packageIntoTemp(serviceDir, stage, params);
    if (cached) {
      // Written whole, then renamed: a job stopped mid-write leaves no half a file.
      await mkdir(path.dirname(cached), { recursive: true });
      await writeFile(`${cached}.${process.pid}`, JSON.stringify(fresh));
      await rename(`${cached}.${process.pid}`, cached);
    }
    return fresh;
  });

/**
 * The service's configuration as the framework resolves it for `stage` (`serverless print`):
 * every variable filled in, nothing packaged (a few seconds, no bundling) — for what depends
 * on the stage without packaging it again, e.g. what `prod` keeps.
 */
export const printForTest = async (
  serviceDir: string,
  stage: string,
  params: Record<string, string> = {},
  /** Environment for the framework, over this process's (e.g. `{ AWS_REGION: 'eu-west-1' }`). */
  env: Record<string, string> = {},
): Promise<{
  provider: { region: string; environment: Record<string, string> };
  functions: Record<string, { environment?: Record<string, string> }>;
  resources: {
    Resources: Template['Resources'];
    Parameters?: Record<string, { Default?: unknown }>;
  };
}> => {
  const { stdout } = await run(
    path.join(serviceDir, 'node_modules', '.bin', 'serverless'),
    [
      'print',
      '--stage',
      stage,
      '--format',
      'json',
      ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
    ],
    { cwd: serviceDir, env: frameworkEnv(env), maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout);
};

/** The DeletionPolicy and UpdateReplacePolicy of every DynamoDB table, by logical id. */
export const tablePolicies = (resources: Template['Resources']) =>
  Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')
      .map(([id, r]) => {
        const { DeletionPolicy, UpdateReplacePolicy } = r as {
          DeletionPolicy?: string;
          UpdateReplacePolicy?: string;
        };
        return [id, { DeletionPolicy, UpdateReplacePolicy }];
      }),
  );

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The statements of the role each Lambda function runs with, keyed by function logical id. */
export const functionRoles = (template: Template) => {
  const functions = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::Lambda::Function',
  );
  return functions.map(([logicalId, fn]) => {
    const role = (fn.Properties?.Role as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
    const resource = role ? template.Resources[role] : undefined;
    const policies = (resource?.Properties?.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[];
    return {
      functionLogicalId: logicalId,
      functionName: String(fn.Properties?.FunctionName),
      roleLogicalId: role,
      statements: policies.flatMap((p) => p.PolicyDocument.Statement),
    };
  });
};

const asList = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * A role's permissions beyond what every function gets (its own log group, X-Ray) as
 * `action -> resources (JSON)`, sorted, for exact comparison in tests.
 */
export const ownPermissions = (statements: Statement[]) => {
  const result: Record<string, string[]> = {};
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asList(statement.Action)) {
      if (action.startsWith('logs:') || action.startsWith('xray:')) continue;
      const resources = Array.isArray(statement.Resource)
        ? statement.Resource
        : [statement.Resource];
      result[action] = [
        ...(result[action] ?? []),
        ...resources.map((r) => JSON.stringify(r)),
      ].sort();
    }
  }
  return result;
};

/**
 * The outputs CloudFormation would refuse for their value: anything but a string or one
 * intrinsic (cfn-lint E6101 — e.g. a serverless.yml output merged into the framework's own).
 * Each as `name: value`, for a test to expect none.
 */
export const outputsWithoutOneValue = (template: Template): string[] =>
  Object.entries(template.Outputs ?? {})
    .filter(([, { Value: value }]) => {
      const one =
        typeof value === 'string' ||
        (value !== null && typeof value === 'object' && Object.keys(value).length === 1);
      return !one;
    })
    .map(([name, { Value: value }]) => `${name}: ${JSON.stringify(value)}`);
