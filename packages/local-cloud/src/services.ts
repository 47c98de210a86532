import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The services in deploy order, with the ports `pnpm start` gives them. */
export const SERVICES = {
  config: { httpPort: 4010, lambdaPort: 4011 },
  orders: { httpPort: 4020, lambdaPort: 4021 },
  publisher: { httpPort: 4040, lambdaPort: 4041, websocketPort: 4042 },
  metrics: { httpPort: 4030, lambdaPort: 4031 },
} as const;
export type ServiceName = keyof typeof SERVICES;

export const serviceDir = (name: ServiceName) => path.join(REPO_ROOT, 'services', name);

/** The services that exist in this checkout, in deploy order. */
export const availableServices = (): ServiceName[] =>
  (Object.keys(SERVICES) as ServiceName[]).filter((name) =>
    existsSync(path.join(serviceDir(name), 'serverless.yml')),
  );

const serverlessBin = (dir: string) => path.join(dir, 'node_modules', '.bin', 'serverless');

const mtime = async (file: string) => (await stat(file)).mtimeMs;

/**
 * Runs `serverless package --stage <stage>` for a service unless its packaged template is
 * newer than its serverless.yml and the shared settings, so a warm start skips it.
 */
export const packageService = async (
  name: ServiceName,
  stage: string,
  log: (line: string) => void,
): Promise<void> => {
  const dir = serviceDir(name);
  const template = path.join(dir, '.serverless', 'cloudformation-template-update-stack.json');
  const state = path.join(dir, '.serverless', 'serverless-state.json');
  if (existsSync(template) && existsSync(state)) {
    const packagedStage = JSON.parse(await readFile(state, 'utf8'))?.service?.provider?.stage;
    const built = await mtime(template);
    const sources = await Promise.all([
      mtime(path.join(dir, 'serverless.yml')),
      mtime(path.join(REPO_ROOT, 'services', 'serverless.common.yml')),
    ]);
    if (packagedStage === stage && sources.every((t) => t < built)) return;
  }
  log(`packaging ${name} (serverless package --stage ${stage})`);
  await run(serverlessBin(dir), ['package', '--stage', stage], {
    cwd: dir,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
};
