import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  LOCAL_ACCOUNT_ID,
  readPackagedTemplate,
  resourcesOfType,
  type Template,
} from './cloudformation';
import { buildResolveContext } from './context';
import { createTables, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb';
import { type LocalEventBridge, startLocalEventBridge } from './eventbridge';
import { LOCAL_CLIENT_ID, type LocalIssuer, startLocalIssuer, type TokenRequest } from './identity';
import { type OfflineService, startOffline } from './offline';
import { seedDemoShop } from './seed';
import {
  availableServices,
  packageService,
  REPO_ROOT,
  SERVICES,
  type ServiceName,
  serviceDir,
} from './services';
import { freePort, localCredentials } from './util';

export const LOCAL_REGION = 'us-east-1';
export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.local');

/** Fixed ports of `pnpm start` for the local AWS endpoints (the services' are in SERVICES). */
export const AWS_PORTS = { dynamodb: 4100, identity: 4101, events: 4102 } as const;

/** `.local/endpoints.json`: what tests, tools and scripts read to find the running stack. */
export interface Endpoints {
  config?: string;
  orders?: string;
  metrics?: string;
  publisher?: { ws: string };
  web?: string;
  identity: { issuer: string; jwks: string; token: string; clientId: string };
  aws: { region: string; dynamodb: string; events: string };
}

export interface StackOptions {
  /** Services to run (default: all that exist), always in deploy order. */
  services?: ServiceName[];
  /** Where keys, data and endpoints.json live (default `.local/` at the repo root). */
  stateDir?: string;
  /** Keep DynamoDB data on disk under the state folder (default true). */
  persist?: boolean;
  /** `fixed`: the documented ports; `free`: any free ports (tests). */
  ports?: 'fixed' | 'free';
  stage?: string;
  seed?: boolean;
  log?: (line: string) => void;
}

export interface Stack {
  endpoints: Endpoints;
  stage: string;
  templates: Partial<Record<ServiceName, Template>>;
  dynamodb: DynamoDbLocal;
  eventBridge: LocalEventBridge;
  issuer: LocalIssuer;
  mintToken(request: TokenRequest): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack: DynamoDB Local, the local token issuer and EventBridge, the tables
 * and buses from each service's packaged CloudFormation, the demo shop, and each service under
 * serverless offline. Writes `endpoints.json` into the state folder once everything answers.
 */
export const startStack = async (options: StackOptions = {}): Promise<Stack> => {
  const stage = options.stage ?? 'local';
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const log = options.log ?? (() => undefined);
  const wanted = options.services ?? availableServices();
  const services = availableServices().filter((name) => wanted.includes(name));
  const port = async (fixed: number) => (options.ports === 'free' ? freePort() : fixed);
  await mkdir(stateDir, { recursive: true });

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    // Package first (cached when unchanged) so the templates drive everything else.
    const templates: Partial<Record<ServiceName, Template>> = {};
    for (const name of services) {
      await packageService(name, stage, log);
      templates[name] = await readPackagedTemplate(serviceDir(name));
    }
    const all = Object.values(templates) as Template[];
    // Each template resolves its own logical ids (two services may both name a resource
    // `EventBus`); values from other services reach a template as params, already strings.
    const contexts = all.map((template) => ({
      template,
      ctx: buildResolveContext([template], LOCAL_REGION, LOCAL_ACCOUNT_ID),
    }));

    const dbPath = options.persist === false ? undefined : path.join(stateDir, 'dynamodb');
    if (dbPath) await mkdir(dbPath, { recursive: true });
    const [dynamodb, issuer] = await Promise.all([
      startDynamoDbLocal({ port: await port(AWS_PORTS.dynamodb), dbPath }),
      startLocalIssuer({ port: await port(AWS_PORTS.identity), stateDir }),
    ]);
    stoppers.push(dynamodb.stop, issuer.stop);

    const buses = contexts.flatMap(({ template, ctx }) =>
      resourcesOfType(template, 'AWS::Events::EventBus').map(({ logicalId }) =>
        String(ctx.refs[logicalId]),
      ),
    );
    const eventBridge = await startLocalEventBridge({
      port: await port(AWS_PORTS.events),
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      buses,
    });
    stoppers.push(eventBridge.stop);

    for (const { template, ctx } of contexts) await createTables(dynamodb.client, template, ctx);
    const configCtx = contexts.find(({ template }) => template === templates.config)?.ctx;
    if (options.seed !== false && configCtx) {
      const shopsTable = configCtx.refs.ShopsTable;
      if (shopsTable && (await seedDemoShop(dynamodb.client, shopsTable)))
        log('seeded shop "demo"');
    }

    const awsEnv = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
      // The SDK's notice that its 2027 releases need Node 22 is known (README); keep logs readable.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const endpoints: Endpoints = {
      identity: {
        issuer: issuer.issuer,
        jwks: issuer.jwksUri,
        token: `${issuer.issuer}/dev/token`,
        clientId: LOCAL_CLIENT_ID,
      },
      aws: { region: LOCAL_REGION, dynamodb: dynamodb.endpoint, events: eventBridge.endpoint },
    };
    // One service after another: two esbuild runs at once only slow a 2-core machine.
    for (const name of services) {
      const ports = SERVICES[name];
      const service: OfflineService = await startOffline({
        name,
        stage,
        httpPort: await port(ports.httpPort),
        lambdaPort: await port(ports.lambdaPort),
        ...('websocketPort' in ports ? { websocketPort: await port(ports.websocketPort) } : {}),
        params: { issuerUrl: issuer.issuer, jwtAudience: LOCAL_CLIENT_ID },
        awsEnv,
        log,
      });
      stoppers.push(service.stop);
      if (name === 'publisher') endpoints.publisher = { ws: service.url.replace(/^http/, 'ws') };
      else endpoints[name] = service.url;
    }

    const endpointsFile = path.join(stateDir, 'endpoints.json');
    await writeFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
    stoppers.push(() => rm(endpointsFile, { force: true }));
    return {
      endpoints,
      stage,
      templates,
      dynamodb,
      eventBridge,
      issuer,
      mintToken: issuer.mint,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
