import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lock } from 'proper-lockfile';
import { packagedTemplateFile, type Template } from './cloudformation';

const run = promisify(execFile);

/** The region of the local stack: its ARNs, its SDK clients and its packaged templates. */
export const LOCAL_REGION = 'us-east-1';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const COMPOSE_FILE = path.join(REPO_ROOT, 'serverless-compose.yml');

/** The ports `pnpm start` gives each service's serverless offline. */
export const SERVICE_PORTS: Record<
  string,
  { httpPort: number; lambdaPort: number; websocketPort?: number }
> = {
  config: { httpPort: 4010, lambdaPort: 4011 },
  orders: { httpPort: 4020, lambdaPort: 4021 },
  metrics: { httpPort: 4030, lambdaPort: 4031 },
  publisher: { httpPort: 4040, lambdaPort: 4041, websocketPort: 4042 },
};

export type ServiceName = string;

const mtime = async (file: string) => (await stat(file)).mtimeMs;

/**
 * The entries of a zip `serverless package` wrote (`zipinfo -l`: permissions, version, os,
 * size, … name): each file's name and uncompressed size.
 */
export const zipEntries = async (zip: string): Promise<{ name: string; bytes: number }[]> => {
  const { stdout } = await run('zipinfo', ['-l', zip], { maxBuffer: 1 << 24 });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 10 && /^[-d]/.test(cols[0] ?? ''))
    .map((cols) => ({ name: cols[cols.length - 1] as string, bytes: Number(cols[3]) }));
};

/** Files a serverless.yml pulls in with `${file(…)}`: the state machine definitions. */
const definitionFiles = async (dir: string): Promise<string[]> => {
  const folder = path.join(dir, 'statemachines');
  if (!existsSync(folder)) return [];
  return (await readdir(folder)).map((name) => path.join(folder, name));
};

/**
 * The folder of a service's function bundles as `serverless package` built them for a stage, which
 * serverless offline runs (`ESPRESSO_PREBUILT` for @espresso/serverless-plugins/local-environment)
 * instead of bundling every function again at each start. A copy of serverless-esbuild's kept
 * output, so that packaging another stage (template tests) never rewrites it under a running stack.
 */
export const prebuiltDir = (dir: string, stage: string) =>
  path.join(dir, '.esbuild', `.offline-${stage}`);

/** Newest modification time of the files under these folders (node_modules and dot folders skipped). */
const newestUnder = async (folders: string[]): Promise<number> => {
  let newest = 0;
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name === 'node_modules' || entry.name.startsWith('.')) return;
        const full = path.join(folder, entry.name);
        if (entry.isDirectory()) return walk(full);
        newest = Math.max(newest, await mtime(full));
      }),
    );
  };
  await Promise.all(folders.map(walk));
  return newest;
};

/**
 * The source folders of the workspace packages a service's bundles are built from: its
 * `@espresso/*` dependencies and theirs (a bundle can import nothing else of the workspace), so
 * that a change to the local cloud, the bench or the web app packages no service again.
 */
export const workspaceSources = async (dir: string): Promise<string[]> => {
  const packages = path.join(REPO_ROOT, 'packages');
  const folderOf = new Map<string, string>();
  for (const name of await readdir(packages)) {
    const manifest = path.join(packages, name, 'package.json');
    if (!existsSync(manifest)) continue;
    folderOf.set((JSON.parse(await readFile(manifest, 'utf8')) as { name: string }).name, name);
  }
  const found = new Set<string>();
  const visit = async (folder: string) => {
    const manifest = JSON.parse(await readFile(path.join(folder, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const name = folderOf.get(dependency);
      if (name === undefined || found.has(name)) continue;
      found.add(name);
      await visit(path.join(packages, name));
    }
  };
  await visit(dir);
  return [...found].sort().map((name) => path.join(packages, name, 'src'));
};

/** What a service's bundles are built from: its code, its workspace packages' code, the lockfile. */
const bundleSources = async (dir: string) => {
  const shared = await workspaceSources(dir);
  return Math.max(
    await newestUnder([path.join(dir, 'src'), ...shared]),
    await mtime(path.join(REPO_ROOT, 'pnpm-lock.yaml')),
    await mtime(path.join(dir, 'package.json')),
  );
};

/**
 * Runs `fn` holding the service folder's packaging lock (`<dir>/.packaging.lock`, across
 * processes): `serverless package` rebuilds the folder's `.esbuild/` and `.serverless/`, so two
 * at once in one folder — `pnpm test`'s two lanes, or a test beside `pnpm start` — would mix
 * each other's files. A lock left by a process that died is taken over once stale (10 s).
 */
export const whilePackaging = async <T>(dir: string, fn: () => Promise<T>): Promise<T> => {
  const release = await lock(dir, {
    lockfilePath: path.join(dir, '.packaging.lock'),
    stale: 10_000,
    retries: { retries: 900, factor: 1, minTimeout: 200, maxTimeout: 200 },
  });
  try {
    return await fn();
  } finally {
    await release();
  }
};

/**
 * Runs `serverless package --stage <stage> --param …` for a service unless its packaged
 * template and bundles are newer than its serverless.yml, the shared settings and the code they
 * are built from, and were built for the same stage and params, so a warm start skips it. The
 * bundles are kept in `prebuiltDir` for serverless offline.
 */
export const packageService = (options: PackageServiceOptions): Promise<PackagedTemplateFile> =>
  whilePackaging(options.dir, async () => {
    await packageUnlessCurrent(options);
    // Read while the lock is held: a packaging into a temp folder moves `.serverless` aside.
    const text = await readFile(packagedTemplateFile(options.dir), 'utf8');
    return { template: JSON.parse(text) as Template, text };
  });

/** A packaged CloudFormation template and the JSON text it was read from (what cfn-lint reads). */
export interface PackagedTemplateFile {
  template: Template;
  text: string;
}

export interface PackageServiceOptions {
  name: string;
  dir: string;
  stage: string;
  params: Record<string, string>;
  log: (line: string) => void;
}

const packageUnlessCurrent = async (options: PackageServiceOptions) => {
  const { dir, stage, params } = options;
  // provider.region is `--region`, else AWS_REGION, else us-east-1: the local stage is always
  // packaged in the local stack's region, whatever the shell exports for a deployed stage.
  const region = stage === 'local' ? LOCAL_REGION : (process.env.AWS_REGION ?? 'us-east-1');
  const out = path.join(dir, '.serverless');
  const template = packagedTemplateFile(dir);
  const marker = path.join(out, 'local-package.json');
  const key = JSON.stringify({ stage, region, params });
  const prebuilt = prebuiltDir(dir, stage);
  if (existsSync(template) && existsSync(marker) && existsSync(prebuilt)) {
    const built = await mtime(template);
    const sources = await Promise.all(
      [
        path.join(dir, 'serverless.yml'),
        path.join(REPO_ROOT, 'services', 'serverless.common.yml'),
        ...(await definitionFiles(dir)),
      ].map(mtime),
    );
    sources.push(await bundleSources(dir));
    if ((await readFile(marker, 'utf8')) === key && sources.every((t) => t < built)) return;
  }
  options.log(`packaging ${options.name} (serverless package --stage ${stage})`);
  await run(
    path.join(dir, 'node_modules', '.bin', 'serverless'),
    [
      'package',
      '--stage',
      stage,
      ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
    ],
    {
      cwd: dir,
      env: { ...process.env, AWS_REGION: region, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  await rm(prebuilt, { recursive: true, force: true });
  const build = path.join(dir, '.esbuild', '.build');
  // serverless-esbuild keeps its output (`keepOutputDirectory` in services/serverless.common.yml).
  if (existsSync(build)) await cp(build, prebuilt, { recursive: true });
  else await mkdir(prebuilt, { recursive: true });
  await writeFile(marker, key);
};
