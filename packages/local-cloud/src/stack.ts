import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  LOCAL_ACCOUNT_ID,
  type ResolveContext,
  readPackagedTemplate,
  resolve,
  resourcesOfType,
  type Template,
} from './cloudformation';
import {
  type ComposeService,
  localOutputs,
  readCompose,
  resolveComposeParams,
  withDependencies,
} from './compose';
import { buildResolveContext } from './context';
import { createTables, type DynamoDbLocal, startDynamoDbLocal } from './dynamodb';
import { startStreamPollers, streamMappingsFromTemplate } from './dynamodb-streams';
import { mappingsFromTemplate, startEventSourceMappings } from './event-source-mappings';
import { type LocalEventBridge, startLocalEventBridge } from './eventbridge';
import { LOCAL_CLIENT_ID, type LocalIssuer, startLocalIssuer, type TokenRequest } from './identity';
import { createLambdaInvoker } from './lambda';
import { type OfflineService, startOffline } from './offline';
import { createRuleRouter, type RuleRouter, rulesFromTemplate } from './rules';
import { seedDemoShop } from './seed';
import { COMPOSE_FILE, LOCAL_REGION, packageService, REPO_ROOT, SERVICE_PORTS } from './services';
import { startLocalSqs } from './sqs';
import { startLocalStepFunctions, stateMachinesFromTemplate } from './stepfunctions';
import { freePort, localCredentials } from './util';

export const DEFAULT_STATE_DIR = path.join(REPO_ROOT, '.local');

/** Fixed ports of `pnpm start` for the local AWS endpoints (the services' are in SERVICE_PORTS). */
export const AWS_PORTS = {
  dynamodb: 4100,
  identity: 4101,
  events: 4102,
  sqs: 4103,
  sfn: 4104,
} as const;

/** `.local/endpoints.json`: what tests, tools and scripts read to find the running stack. */
export interface Endpoints {
  config?: string;
  orders?: string;
  metrics?: string;
  publisher?: { ws: string; http?: string };
  web?: string;
  /** Any other service started (test fixtures): name → HTTP URL. */
  services?: Record<string, string>;
  identity: { issuer: string; jwks: string; token: string; clientId: string };
  aws: { region: string; dynamodb: string; events: string; sqs: string; sfn: string };
}

export interface StackOptions {
  /**
   * Services of serverless-compose.yml to run (default: all), with the services they depend on
   * (compose params and `dependsOn`, transitively), always in dependency order.
   */
  services?: string[];
  /** More services (test fixtures), started after the compose ones, with compose-style params. */
  extraServices?: Omit<ComposeService, 'dependsOn'>[];
  /** Where keys, data and endpoints.json live (default `.local/` at the repo root). */
  stateDir?: string;
  /** Keep tables and queues on disk under the state folder (default true). */
  persist?: boolean;
  /** `fixed`: the documented ports; `free`: any free ports (tests). */
  ports?: 'fixed' | 'free';
  stage?: string;
  seed?: boolean;
  log?: (line: string) => void;
  /** Called as each part comes up, for a progress display. */
  progress?: (step: string, ms: number) => void;
  /**
   * Measurement hook (`pnpm bench` counts requests with it): may put a proxy in front of a local
   * endpoint that the services' handlers and the workflows' integrations call, and returns the
   * URL to hand out instead. Tools (`endpoints.json`) and the local cloud's own pollers keep the
   * real endpoints. Default: none.
   */
  interpose?: (target: InterposedTarget, endpoint: string) => Promise<string>;
}

/** What `StackOptions.interpose` may sit in front of (`lambda`: a service's invoke endpoint). */
export type InterposedTarget = 'dynamodb' | 'events' | 'sqs' | 'sfn' | 'lambda' | 'websocket';

export interface Stack {
  endpoints: Endpoints;
  stage: string;
  templates: Record<string, Template>;
  dynamodb: DynamoDbLocal;
  eventBridge: LocalEventBridge;
  rules: RuleRouter;
  issuer: LocalIssuer;
  mintToken(request: TokenRequest): Promise<string>;
  /** Resolves once no rule delivery or queue batch is in flight. */
  idle(): Promise<void>;
  /** What `idle` is waiting for, one line each (for a test's failure message). */
  pending(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * The params a service is packaged with. The issuer's URL carries the port the issuer got (a
 * free one for a test's stack), which would make every stack package its services again
 * (~11 s): the template is packaged with the default issuer URL instead. The issuer is only
 * read from the template by the JWT authorizer and environment values, and serverless offline
 * resolves both from the real `issuerUrl` param it is started with.
 */
const packagingParams = (params: Record<string, string>): Record<string, string> =>
  params.issuerUrl === undefined
    ? params
    : { ...params, issuerUrl: `http://127.0.0.1:${AWS_PORTS.identity}/local-pool` };

/**
 * Starts the local stack from the services' packaged CloudFormation: DynamoDB Local, the token
 * issuer, EventBridge (bus, rules, targets), SQS (queues, DLQs, Lambda event source mappings),
 * Step Functions, the demo shop, and each service under serverless offline, in compose order.
 * Writes `endpoints.json` into the state folder once everything answers.
 */
export const startStack = async (options: StackOptions = {}): Promise<Stack> => {
  // The SDK's notice that its 2027 releases need Node 22 is known (README); keep logs readable.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const stage = options.stage ?? 'local';
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const log = options.log ?? (() => undefined);
  const persist = options.persist !== false;
  let mark = Date.now();
  const progress = (step: string) => {
    const now = Date.now();
    options.progress?.(step, now - mark);
    mark = now;
  };
  const via = (target: InterposedTarget, url: string) =>
    options.interpose ? options.interpose(target, url) : Promise.resolve(url);
  const port = async (fixed: number) => (options.ports === 'free' ? freePort() : fixed);
  await mkdir(stateDir, { recursive: true });

  const composed = await readCompose(COMPOSE_FILE);
  const services: ComposeService[] = [
    // A service brings the ones its compose params and dependsOn name (orders → config).
    ...(options.services ? withDependencies(composed, options.services) : composed),
    ...(options.extraServices ?? []).map((s) => ({ ...s, dependsOn: [] })),
  ];

  const ports = {
    dynamodb: await port(AWS_PORTS.dynamodb),
    identity: await port(AWS_PORTS.identity),
    events: await port(AWS_PORTS.events),
    sqs: await port(AWS_PORTS.sqs),
    sfn: await port(AWS_PORTS.sfn),
  };
  const servicePorts: Record<
    string,
    { httpPort: number; lambdaPort: number; websocketPort?: number }
  > = {};
  for (const service of services) {
    const fixed = SERVICE_PORTS[service.name];
    const free = options.ports === 'free' || !fixed;
    servicePorts[service.name] = {
      httpPort: free ? await freePort() : fixed.httpPort,
      lambdaPort: free ? await freePort() : fixed.lambdaPort,
      ...(fixed?.websocketPort
        ? { websocketPort: free ? await freePort() : fixed.websocketPort }
        : {}),
    };
  }
  const endpoint = (p: number) => `http://127.0.0.1:${p}`;
  const issuerUrl = `${endpoint(ports.identity)}/local-pool`;
  const sqsEndpoint = endpoint(ports.sqs);

  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
    stoppers.length = 0;
  };
  try {
    // 1. Package in dependency order: each service's compose params come from the outputs of
    //    the ones before it, resolved to local names (the local issuer stands in for Cognito).
    const templates: Record<string, Template> = {};
    const contexts: Record<string, ResolveContext> = {};
    const outputs: Record<string, Record<string, string>> = {};
    const params: Record<string, Record<string, string>> = {};
    for (const service of services) {
      params[service.name] = resolveComposeParams(service, outputs);
      await packageService({
        name: service.name,
        dir: service.dir,
        stage,
        params: packagingParams(params[service.name] ?? {}),
        log,
      });
      const template = await readPackagedTemplate(service.dir);
      const ctx = buildResolveContext([template], LOCAL_REGION, LOCAL_ACCOUNT_ID, sqsEndpoint);
      const httpPort = servicePorts[service.name]?.httpPort;
      if (httpPort) ctx.attributes['HttpApi.ApiEndpoint'] = endpoint(httpPort);
      // A WebSocket API is serverless offline's WebSocket server. Its id only appears in names
      // a handler never calls locally (the management endpoint comes from
      // AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, set below).
      const websocketPort = servicePorts[service.name]?.websocketPort;
      if (websocketPort && template.Resources.WebsocketsApi) {
        ctx.refs.WebsocketsApi = 'local';
        ctx.attributes['WebsocketsApi.ApiEndpoint'] = `ws://127.0.0.1:${websocketPort}`;
      }
      templates[service.name] = template;
      contexts[service.name] = ctx;
      outputs[service.name] = localOutputs(template, ctx, { IssuerUrl: issuerUrl });
    }
    progress(`packaged ${services.map((s) => s.name).join(', ')}`);

    // 2. The local AWS endpoints.
    const dbPath = persist ? path.join(stateDir, 'dynamodb') : undefined;
    if (dbPath) await mkdir(dbPath, { recursive: true });
    const [dynamodb, issuer] = await Promise.all([
      startDynamoDbLocal({ port: ports.dynamodb, dbPath }),
      startLocalIssuer({ port: ports.identity, stateDir }),
    ]);
    stoppers.push(dynamodb.stop, issuer.stop);
    progress('DynamoDB Local and the token issuer');

    const buses = services.flatMap(({ name }) =>
      resourcesOfType(templates[name] as Template, 'AWS::Events::EventBus').map(({ logicalId }) =>
        String(contexts[name]?.refs[logicalId]),
      ),
    );
    const eventBridge = await startLocalEventBridge({
      port: ports.events,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      buses,
    });
    stoppers.push(eventBridge.stop);
    const sqs = await startLocalSqs({
      port: ports.sqs,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      ...(persist ? { stateFile: path.join(stateDir, 'sqs.json') } : {}),
    });
    stoppers.push(sqs.stop);

    // Functions run in the serverless offline of the service that owns them.
    const routes = new Map<string, string>();
    const timeouts = new Map<string, number>();
    for (const { name } of services) {
      const lambdaEndpoint = await via('lambda', endpoint(servicePorts[name]?.lambdaPort ?? 0));
      for (const { properties } of resourcesOfType(
        templates[name] as Template,
        'AWS::Lambda::Function',
      )) {
        routes.set(String(properties.FunctionName), lambdaEndpoint);
        // CloudFormation's default is 3 s.
        timeouts.set(String(properties.FunctionName), Number(properties.Timeout ?? 3));
      }
    }
    const called = {
      dynamodb: await via('dynamodb', dynamodb.endpoint),
      events: await via('events', eventBridge.endpoint),
      sqs: await via('sqs', sqs.endpoint),
    };
    const invokeLambda = createLambdaInvoker(routes, LOCAL_REGION, timeouts);
    const sfn = await startLocalStepFunctions({
      port: ports.sfn,
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
      endpoints: { dynamodb: called.dynamodb, events: called.events },
      invokeLambda,
      log,
      // Standard executions survive a restart: resumed below once the functions answer.
      ...(persist ? { stateFile: path.join(stateDir, 'executions.json') } : {}),
    });
    stoppers.push(sfn.stop);
    progress('EventBridge, SQS and Step Functions');

    // 3. The resources of every template.
    for (const { name } of services) {
      const template = templates[name] as Template;
      const ctx = contexts[name] as ResolveContext;
      await createTables(dynamodb.client, template, ctx);
      await sqs.createQueuesFromTemplate(template, ctx);
      for (const machine of stateMachinesFromTemplate(template, ctx))
        sfn.createStateMachine({ ...machine, owner: name });
    }
    const shopsTable = contexts.config?.refs.ShopsTable;
    if (options.seed !== false && shopsTable && (await seedDemoShop(dynamodb.client, shopsTable))) {
      log('seeded shop "demo"');
    }
    progress('tables, queues and state machines');

    // 4. Each service under serverless offline, with its AWS SDK pointed at the local endpoints.
    const awsEnv = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: called.dynamodb,
      AWS_ENDPOINT_URL_EVENTBRIDGE: called.events,
      AWS_ENDPOINT_URL_SQS: called.sqs,
      AWS_ENDPOINT_URL_SFN: await via('sfn', sfn.endpoint),
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
      aws: {
        region: LOCAL_REGION,
        dynamodb: dynamodb.endpoint,
        events: eventBridge.endpoint,
        sqs: sqs.endpoint,
        sfn: sfn.endpoint,
      },
    };
    // Function environments resolved from the template (intrinsics → local names and ARNs),
    // for the `@espresso/serverless-plugins/local-environment` plugin under serverless offline.
    const localEnvironment = (name: string) =>
      Object.fromEntries(
        resourcesOfType(templates[name] as Template, 'AWS::Lambda::Function').map(
          ({ properties }) => {
            const variables = ((
              properties.Environment as { Variables?: Record<string, unknown> } | undefined
            )?.Variables ?? {}) as Record<string, unknown>;
            const resolved: Record<string, string> = {};
            for (const [key, value] of Object.entries(variables)) {
              try {
                resolved[key] = String(resolve(value, contexts[name] as ResolveContext));
              } catch {
                // left to serverless offline as it is
              }
            }
            return [String(properties.FunctionName), resolved];
          },
        ),
      );
    const apiProtocols = (name: string) =>
      resourcesOfType(templates[name] as Template, 'AWS::ApiGatewayV2::Api').map(({ properties }) =>
        String(properties.ProtocolType),
      );
    // All at once: each is mostly waiting on its own esbuild and worker start-up. Every one is
    // awaited (and registered for stop) before a failure is reported.
    const started = await Promise.allSettled(
      services.map(async (service) => {
        const p = servicePorts[service.name] as {
          httpPort: number;
          lambdaPort: number;
          websocketPort?: number;
        };
        const offline: OfflineService = await startOffline({
          name: service.name,
          dir: service.dir,
          stage,
          ...p,
          params: {
            ...params[service.name],
            issuerUrl: issuer.issuer,
            jwtAudience: LOCAL_CLIENT_ID,
          },
          awsEnv: {
            ...awsEnv,
            // PostToConnection goes to offline's WebSocket server (`/@connections/{id}`).
            ...(p.websocketPort
              ? {
                  AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: await via(
                    'websocket',
                    endpoint(p.websocketPort),
                  ),
                }
              : {}),
            ESPRESSO_LOCAL_ENVIRONMENT: JSON.stringify(localEnvironment(service.name)),
          },
          log,
          serves: {
            http: apiProtocols(service.name).includes('HTTP'),
            websocket: apiProtocols(service.name).includes('WEBSOCKET'),
          },
        });
        stoppers.push(offline.stop);
        if (service.name === 'publisher') {
          endpoints.publisher = { ws: `ws://127.0.0.1:${p.websocketPort}`, http: offline.url };
        } else if (['config', 'orders', 'metrics'].includes(service.name)) {
          endpoints[service.name as 'config' | 'orders' | 'metrics'] = offline.url;
        } else {
          endpoints.services = { ...endpoints.services, [service.name]: offline.url };
        }
      }),
    );
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    progress(`${services.map((s) => s.name).join(', ')} under serverless offline`);

    // 5. Wire the triggers now that every function can be invoked. On the way down, executions
    //    stop where they are (kept RUNNING in the state folder) before the functions go away.
    stoppers.push(sfn.suspend);
    const sfnClient = new SFNClient({
      endpoint: sfn.endpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
      disableHostPrefix: true,
    });
    /** The local URL of the queue with this ARN (rule targets, stream on-failure queues). */
    const queueUrlOf = (arn: string) =>
      `${sqs.endpoint}/${LOCAL_ACCOUNT_ID}/${arn.split(':').pop()}`;
    const rules = createRuleRouter({
      invokeLambda,
      sqs: sqs.client,
      sfn: sfnClient,
      queueUrlOf,
      log,
    });
    for (const { name } of services) {
      rules.add(rulesFromTemplate(templates[name] as Template, contexts[name] as ResolveContext));
    }
    const unsubscribe = eventBridge.subscribe((event) => rules.route(event));
    stoppers.push(async () => unsubscribe());
    // The queue pollers talk to SQS like Lambda's do: through `interpose` when one is given (a
    // fault proxy can lose their deletes, and the message comes back after its visibility timeout).
    const pollerSqs =
      called.sqs === sqs.endpoint
        ? sqs.client
        : new SQSClient({
            endpoint: called.sqs,
            region: LOCAL_REGION,
            credentials: localCredentials,
          });
    if (pollerSqs !== sqs.client) stoppers.push(async () => pollerSqs.destroy());
    const mappings = await startEventSourceMappings({
      sqs: pollerSqs,
      mappings: services.flatMap(({ name }) =>
        mappingsFromTemplate(
          templates[name] as Template,
          contexts[name] as ResolveContext,
          called.sqs,
        ),
      ),
      invoke: invokeLambda,
      log,
    });
    stoppers.push(mappings.stop);
    const streams = new DynamoDBStreamsClient({
      endpoint: dynamodb.endpoint,
      region: LOCAL_REGION,
      credentials: localCredentials,
    });
    const streamPollers = await startStreamPollers({
      dynamodb: dynamodb.client,
      streams,
      sqs: sqs.client,
      queueUrlOf,
      mappings: services.flatMap(({ name }) =>
        streamMappingsFromTemplate(templates[name] as Template, contexts[name] as ResolveContext),
      ),
      invoke: invokeLambda,
      ...(persist ? { checkpointFile: path.join(stateDir, 'streams.json') } : {}),
      log,
    });
    stoppers.push(async () => {
      await streamPollers.stop();
      streams.destroy();
    });
    progress(`${rules.rules().length} rules and the queue pollers`);

    // 6. The workflows a previous run left running go on from where they were.
    //    Those of a compose service not started this time wait for a start that has it.
    const runningServices = new Set(services.map((s) => s.name));
    const resumed = await sfn.resumeExecutions({
      later: (owner) => !runningServices.has(owner) && composed.some((s) => s.name === owner),
    });
    if (resumed.resumed + resumed.failed > 0) {
      progress(
        `${resumed.resumed} executions resumed${resumed.failed ? `, ${resumed.failed} failed` : ''}`,
      );
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
      rules,
      issuer,
      mintToken: issuer.mint,
      async pending() {
        return [...streamPollers.pending(), ...rules.pending(), ...(await mappings.pending())];
      },
      async idle() {
        await streamPollers.idle();
        await rules.idle();
        await mappings.idle();
        await rules.idle();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
