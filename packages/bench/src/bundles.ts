import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { median } from '@espresso/simulator';

const run = promisify(execFile);

export interface BundleFigures {
  service: string;
  function: string;
  /** The zip `serverless package` wrote (what a deploy uploads). */
  zipBytes: number;
  /** The minified handler module inside it (source map excluded). */
  moduleBytes: number;
  /** Median time for a fresh `node` to import the module (ms), or why it failed. */
  coldImportMs: number;
  importError?: string;
}

/** Entries of a zip: `zipinfo -l` lines → name and uncompressed size. */
const entries = async (zip: string) => {
  const { stdout } = await run('zipinfo', ['-l', zip], { maxBuffer: 1 << 22 });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 10 && /^[-d]/.test(cols[0] ?? ''))
    .map((cols) => ({ name: cols[cols.length - 1] as string, bytes: Number(cols[3]) }));
};

/**
 * Time to import a module in a fresh Node process, measured inside it (process start not
 * included: that is the runtime's, not the bundle's). A module that throws at import (e.g. env
 * not set) still reports its time, with the error.
 */
export const coldImport = async (file: string): Promise<{ ms: number; error?: string }> => {
  const script = `const t=performance.now();let e;try{await import(${JSON.stringify(pathToFileURL(file).href)})}catch(x){e=String(x&&x.message||x).slice(0,160)}process.stdout.write(JSON.stringify({ms:performance.now()-t,error:e}))`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as { ms: number; error?: string };
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
      for (const zipName of (await readdir(out)).filter((f) => f.endsWith('.zip')).sort()) {
        const zip = path.join(out, zipName);
        const modules = (await entries(zip)).filter((e) => /\.(mjs|cjs|js)$/.test(e.name));
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
        const times: number[] = [];
        let importError: string | undefined;
        for (let i = 0; i < repeat; i++) {
          const { ms, error } = await coldImport(file);
          times.push(ms);
          importError ??= error;
        }
        figures.push({
          service,
          function: zipName.replace(/\.zip$/, ''),
          zipBytes: (await stat(zip)).size,
          moduleBytes: main.bytes,
          coldImportMs: median(times),
          ...(importError ? { importError } : {}),
        });
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return figures;
};
