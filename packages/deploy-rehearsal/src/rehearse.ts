import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { COMPOSE_FILE, REPO_ROOT, readCompose } from '@espresso/local-cloud';
import { type Moto, startMoto } from './moto';
import {
  clientsFor,
  type DeployedService,
  type ResourceFinding,
  verifyRemoved,
  verifyService,
} from './verify';

export interface RehearsalOptions {
  /** A fresh stage by default (`rh` + 6 hex digits). */
  stage?: string;
  region?: string;
  log?: (line: string) => void;
}

export interface RehearsalResult {
  stage: string;
  /** Steps in the order they ran, with their time. */
  steps: { name: string; seconds: number }[];
  /** Every resource of every service after the update deploy. */
  findings: ResourceFinding[];
  /** Resource types moto's CloudFormation skipped (not modelled). */
  skippedTypes: string[];
}

const SERVERLESS = path.join(REPO_ROOT, 'node_modules', '.bin', 'serverless');

/** The services of serverless-compose.yml with the stack names their serverless.yml gives. */
export const composeServices = async (stage: string): Promise<DeployedService[]> =>
  Promise.all(
    (await readCompose(COMPOSE_FILE)).map(async (service) => {
      const yml = await readFile(path.join(service.dir, 'serverless.yml'), 'utf8');
      const name = /^service:\s*(\S+)/m.exec(yml)?.[1];
      if (!name) throw new Error(`${service.dir}/serverless.yml names no service`);
      return { name: service.name, dir: service.dir, stackName: `${name}-${stage}` };
    }),
  );

/** The environment that points the framework (serverless-localstack, SDK v3) at moto. */
export const rehearsalEnvironment = (
  moto: Pick<Moto, 'endpoint' | 'port' | 'modelledTypes'>,
  stage: string,
  region: string,
) => ({
  ESPRESSO_REHEARSAL_STAGE: stage,
  ESPRESSO_REHEARSAL_PORT: String(moto.port),
  ESPRESSO_REHEARSAL_MODELLED_TYPES: moto.modelledTypes.join(','),
  // serverless-step-functions and compose's own calls use SDK v3 clients, which read this.
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: region,
  AWS_SDK_LOAD_CONFIG: '',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  AWS_PROFILE: '',
});

/** Runs the framework's CLI at the repository root: compose runs it in every service. */
const runServerless = (args: string[], env: Record<string, string>, log: (line: string) => void) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(SERVERLESS, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk;
      for (const line of String(chunk).split('\n')) {
        if (/ › (deploying|deployed|removing|removed|error|skipped|× )/.test(line))
          log(line.trim());
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`serverless ${args.join(' ')} exited ${code}:\n${output.slice(-6000)}`)),
    );
  });

/**
 * The deploy rehearsal: `serverless deploy` of every compose service for a fresh stage (in
 * compose's dependency order, outputs passed on as params), checks of what was created, a second
 * deploy that changes every function (an update), then `serverless remove` and a check that
 * nothing of the stage is left — all against moto_server.
 */
export const rehearse = async (options: RehearsalOptions = {}): Promise<RehearsalResult> => {
  const stage = options.stage ?? `rh${randomBytes(3).toString('hex')}`;
  const region = options.region ?? 'us-east-1';
  const log = options.log ?? (() => {});
  const steps: RehearsalResult['steps'] = [];
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    log(`— ${name}`);
    const result = await run();
    steps.push({ name, seconds: (Date.now() - started) / 1000 });
    return result;
  };
  const moto = await step('start moto_server', startMoto);
  try {
    const env = rehearsalEnvironment(moto, stage, region);
    const clients = clientsFor(moto.endpoint, region);
    const modelled = new Set(moto.modelledTypes);
    const services = await composeServices(stage);
    const verifyAll = (expectEnvironment?: Record<string, string>) =>
      services.reduce<Promise<ResourceFinding[]>>(
        async (all, service) => [
          ...(await all),
          ...(await verifyService(clients, service, modelled, expectEnvironment)),
        ],
        Promise.resolve([]),
      );
    await step(`serverless deploy --stage ${stage} (create)`, () =>
      runServerless(['deploy', '--stage', stage], { ...env, LOG_LEVEL: 'INFO' }, log),
    );
    await step('check the created stacks', () => verifyAll({ POWERTOOLS_LOG_LEVEL: 'INFO' }));
    await step(`serverless deploy --stage ${stage} (update: every function's log level)`, () =>
      runServerless(['deploy', '--stage', stage], { ...env, LOG_LEVEL: 'DEBUG' }, log),
    );
    const findings = await step('check the updated stacks', () =>
      verifyAll({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
    );
    await step(`serverless remove --stage ${stage}`, () =>
      runServerless(['remove', '--stage', stage], env, log),
    );
    await step('check nothing of the stage is left', () => verifyRemoved(clients, services, stage));
    return { stage, steps, findings, skippedTypes: moto.skippedTypes() };
  } finally {
    await moto.stop();
  }
};

/** Per resource type: how many, created by the stand-in or skipped, and what was read back. */
export const summarize = (findings: ResourceFinding[]) => {
  const byType = new Map<string, { count: number; created: number; checked: Set<string> }>();
  for (const finding of findings) {
    const row = byType.get(finding.type) ?? { count: 0, created: 0, checked: new Set<string>() };
    row.count += 1;
    if (finding.created) row.created += 1;
    if (finding.checked) row.checked.add(finding.checked);
    byType.set(finding.type, row);
  }
  return [...byType.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, row]) => ({
      type,
      count: row.count,
      outcome:
        row.created === row.count
          ? row.checked.size > 0
            ? `created; read back: ${[...row.checked].join('; ')}`
            : 'created (a stack resource, *_COMPLETE)'
          : row.created === 0
            ? 'skipped: not modelled by moto'
            : `${row.created} of ${row.count} created`,
    }));
};
