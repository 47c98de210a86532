import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Template, zipEntries } from '@espresso/local-cloud';
import { median } from '@espresso/simulator';

const run = promisify(execFile);

export interface BundleFigures {
  service: string;
  function: string;
  /** The zip `serverless package` wrote (what a deploy uploads). */
  zipBytes: number;
  /** The minified handler module inside it (source map excluded). */
  moduleBytes: number;
  /**
   * Median time for a fresh `node` to import the module (ms), or why it failed. What the zip
   * leaves out (the AWS SDK) loads from the service's node_modules, as the runtime's copy would.
   */
  coldImportMs: number;
  importError?: string;
  /** The packages the module imports but the zip leaves out (`esbuild.exclude`). */
  externals: string[];
  /** The same import with those packages replaced by empty stand-ins: our code's share (ms). */
  ownImportMs?: number;
}

/**
 * Time to import a module in a fresh Node process, measured inside it (process start not
 * included: that is the runtime's, not the bundle's). A module that throws at import (e.g. env
 * not set) still reports its time, with the error.
 */
export const coldImport = async (
  file: string,
  /** The function's NODE_OPTIONS (its template's environment), which the runtime starts with. */
  nodeOptions?: string,
): Promise<{ ms: number; error?: string }> => {
  const script = `const t=performance.now();let e;try{await import(${JSON.stringify(pathToFileURL(file).href)})}catch(x){e=String(x&&x.message||x).slice(0,160)}process.stdout.write(JSON.stringify({ms:performance.now()-t,error:e}))`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { ms: number; error?: string };
};

/**
 * The NODE_OPTIONS a packaged function runs with (`Environment.Variables`, e.g. the shared
 * `--enable-source-maps`, which makes each cold start read and parse the bundle's source map),
 * found by its zip (`Code.S3Key` ends with it). Undefined when the template sets none.
 */
export const nodeOptionsOf = (template: Template, zipName: string): string | undefined => {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
    if (typeof key !== 'string' || !(key === zipName || key.endsWith(`/${zipName}`))) continue;
    const options = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables?.NODE_OPTIONS;
    return typeof options === 'string' ? options : undefined;
  }
  return undefined;
};

/**
 * The names a bundle imports from packages (Node built-ins aside), by package: esbuild's
 * minified `import{A as b,C}from"pkg"` statements at the top of the module. Null when a package
 * is imported in another form (default, namespace, bare, dynamic) that stand-ins could not mimic.
 */
export const externalImports = (code: string): Record<string, string[]> | null => {
  const found: Record<string, Set<string>> = {};
  const statements = /(?:^|[;\n])\s*import\s*(\{[^}]*\}|[^"'{;]*?)\s*(?:from\s*)?["']([^"']+)["']/g;
  for (const [, clause = '', specifier = ''] of code.matchAll(statements)) {
    if (isBuiltin(specifier) || specifier.startsWith('.') || specifier.startsWith('/')) continue;
    if (!clause.startsWith('{')) return null;
    const names = found[specifier] ?? new Set<string>();
    found[specifier] = names;
    for (const part of clause.slice(1, -1).split(',')) {
      const name = part.trim().split(/\s+as\s+/)[0];
      if (name) names.add(name);
    }
  }
  for (const [, specifier = ''] of code.matchAll(/\bimport\s*\(\s*["']([^"']+)["']/g)) {
    if (!isBuiltin(specifier)) return null;
  }
  return Object.fromEntries(Object.entries(found).map(([k, v]) => [k, [...v].sort()]));
};

/** An ESM stand-in exporting each name as a class that constructs and does nothing. */
export const standIn = (names: string[]): string =>
  names
    .map(
      (n) =>
        `export class ${n} { middlewareStack = { add() {}, addRelativeTo() {}, use() {} }; static from() { return new this(); } }`,
    )
    .join('\n');

/**
 * Our code's share of a cold import: the module imported with each left-out package replaced by
 * a stand-in, in a folder of its own. Undefined when the imports cannot be mimicked.
 */
const ownImport = async (file: string, dir: string, repeat: number, nodeOptions?: string) => {
  const imports = externalImports(await readFile(file, 'utf8'));
  if (!imports) return undefined;
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), '{"type":"module"}');
  await copyFile(file, path.join(dir, path.basename(file)));
  // Its source map too: with --enable-source-maps the import reads it.
  if (existsSync(`${file}.map`)) {
    await copyFile(`${file}.map`, path.join(dir, `${path.basename(file)}.map`));
  }
  for (const [pkg, names] of Object.entries(imports)) {
    const home = path.join(dir, 'node_modules', pkg);
    await mkdir(home, { recursive: true });
    await writeFile(
      path.join(home, 'package.json'),
      JSON.stringify({ name: pkg, type: 'module', main: 'index.js' }),
    );
    await writeFile(path.join(home, 'index.js'), standIn(names));
  }
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const { ms, error } = await coldImport(path.join(dir, path.basename(file)), nodeOptions);
    if (error) return undefined;
    times.push(ms);
  }
  return median(times);
};

/** Bundle size and cold import time of every function of every packaged service. */
export const measureBundles = async (
  serviceDirs: Record<string, string>,
  repeat: number,
): Promise<BundleFigures[]> => {
  const figures: BundleFigures[] = [];
  const work = await mkdtemp(path.join(os.tmpdir(), 'espresso-bundles-'));
  try {
    for (const [service, dir] of Object.entries(serviceDirs)) {
      const out = path.join(dir, '.serverless');
      if (!existsSync(out)) continue;
      const templateFile = path.join(out, 'cloudformation-template-update-stack.json');
      // Without the template (an interrupted packaging) the imports run without NODE_OPTIONS.
      const template: Template = existsSync(templateFile)
        ? JSON.parse(await readFile(templateFile, 'utf8'))
        : { Resources: {} };
      for (const zipName of (await readdir(out)).filter((f) => f.endsWith('.zip')).sort()) {
        const zip = path.join(out, zipName);
        const modules = (await zipEntries(zip)).filter((e) => /\.(mjs|cjs|js)$/.test(e.name));
        const main = modules.sort((a, b) => b.bytes - a.bytes)[0];
        if (!main) continue;
        const target = path.join(work, service, zipName.replace(/\.zip$/, ''));
        await mkdir(target, { recursive: true });
        await run('unzip', ['-q', '-o', zip, '-d', target]);
        // The bundle is ESM (`.mjs`): a package.json of its own keeps Node from guessing.
        await writeFile(path.join(target, 'package.json'), '{"type":"module"}');
        // What the zip leaves out (`esbuild.exclude`: the AWS SDK, which the Lambda runtime
        // ships) resolves from the service's node_modules, as the runtime's copy would: its
        // load time counts in the cold import.
        const own = path.join(dir, 'node_modules');
        if (!existsSync(path.join(target, 'node_modules')) && existsSync(own)) {
          await symlink(own, path.join(target, 'node_modules'), 'dir');
        }
        const file = path.join(target, main.name);
        const nodeOptions = nodeOptionsOf(template, zipName);
        const times: number[] = [];
        let importError: string | undefined;
        for (let i = 0; i < repeat; i++) {
          const { ms, error } = await coldImport(file, nodeOptions);
          times.push(ms);
          importError ??= error;
        }
        const externals = Object.keys(externalImports(await readFile(file, 'utf8')) ?? {});
        const ownImportMs =
          externals.length > 0
            ? await ownImport(file, `${target}-own`, repeat, nodeOptions)
            : median(times);
        figures.push({
          service,
          function: zipName.replace(/\.zip$/, ''),
          zipBytes: (await stat(zip)).size,
          moduleBytes: main.bytes,
          coldImportMs: median(times),
          ...(importError ? { importError } : {}),
          externals,
          ...(ownImportMs === undefined ? {} : { ownImportMs }),
        });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return figures;
};
