import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type ComposeService, readCompose, withDependencies } from '../compose';
import { COMPOSE_FILE, REPO_ROOT, SERVICE_PORTS } from '../services';
import type { InterposedTarget, StackOptions } from '../stack';
import { freePort } from '../util';

export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.local');

/** Fixed ports of `pnpm start` for the local AWS endpoints (the services' are in SERVICE_PORTS). */
export const AWS_PORTS = {
  dynamodb: 4100,
  identity: 4101,
  events: 4102,
  sqs: 4103,
  sfn: 4104,
} as const;

export type AwsPorts = { [Name in keyof typeof AWS_PORTS]: number };

export interface ServicePorts {
  httpPort: number;
  lambdaPort: number;
  websocketPort?: number;
}

/** What every phase of `startStack` reads: the options settled, the services and their ports. */
export interface StackPlan {
  stage: string;
  stateDir: string;
  persist: boolean;
  seed: boolean;
  log: (line: string) => void;
  /** Reports a part as up, with the time since the previous one (`StackOptions.progress`). */
  progress: (step: string) => void;
  /** The URL handed to handlers and workflows for a local endpoint (`StackOptions.interpose`). */
  via: (target: InterposedTarget, url: string) => Promise<string>;
  /** Every service of serverless-compose.yml, started or not. */
  composed: ComposeService[];
  /** The services to start, in dependency order. */
  services: ComposeService[];
  ports: AwsPorts;
  servicePorts: Record<string, ServicePorts>;
}

export const localUrl = (port: number) => `http://127.0.0.1:${port}`;

/** Reports each step with the milliseconds since the previous one (or since the start). */
const progressReporter = (report: StackOptions['progress']) => {
  let mark = Date.now();
  return (step: string) => {
    const now = Date.now();
    report?.(step, now - mark);
    mark = now;
  };
};

/** The compose services asked for (a service brings the ones its params and dependsOn name), then the extra ones. */
const servicesToStart = (composed: ComposeService[], options: StackOptions): ComposeService[] => [
  ...(options.services ? withDependencies(composed, options.services) : composed),
  ...(options.extraServices ?? []).map((s) => ({ ...s, dependsOn: [] })),
];

/** The documented ports, or free ones (`ports: 'free'`, and any service without documented ones). */
const choosePorts = async (services: ComposeService[], free: boolean) => {
  const port = async (fixed: number) => (free ? freePort() : fixed);
  const ports: AwsPorts = {
    dynamodb: await port(AWS_PORTS.dynamodb),
    identity: await port(AWS_PORTS.identity),
    events: await port(AWS_PORTS.events),
    sqs: await port(AWS_PORTS.sqs),
    sfn: await port(AWS_PORTS.sfn),
  };
  const servicePorts: Record<string, ServicePorts> = {};
  for (const service of services) {
    const fixed = SERVICE_PORTS[service.name];
    const own = free || !fixed;
    servicePorts[service.name] = {
      httpPort: own ? await freePort() : fixed.httpPort,
      lambdaPort: own ? await freePort() : fixed.lambdaPort,
      ...(fixed?.websocketPort
        ? { websocketPort: own ? await freePort() : fixed.websocketPort }
        : {}),
    };
  }
  return { ports, servicePorts };
};

/** Settles the options, creates the state folder, reads the compose file and chooses the ports. */
export const planStack = async (options: StackOptions): Promise<StackPlan> => {
  const progress = progressReporter(options.progress);
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  await mkdir(stateDir, { recursive: true });
  const composed = await readCompose(COMPOSE_FILE);
  const services = servicesToStart(composed, options);
  return {
    stage: options.stage ?? 'local',
    stateDir,
    persist: options.persist !== false,
    seed: options.seed !== false,
    log: options.log ?? (() => undefined),
    progress,
    via: (target, url) =>
      options.interpose ? options.interpose(target, url) : Promise.resolve(url),
    composed,
    services,
    ...(await choosePorts(services, options.ports === 'free')),
  };
};
