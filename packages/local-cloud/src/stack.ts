import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Template } from './cloudformation';
import type { ComposeService } from './compose';
import type { DynamoDbLocal } from './dynamodb';
import type { LocalEventBridge } from './eventbridge';
import type { LocalIssuer, TokenRequest } from './identity';
import type { RuleRouter } from './rules';
import { type LocalAws, startLocalAws } from './stack/aws';
import { type PackagedService, packageServices } from './stack/package';
import { planStack, type StackPlan } from './stack/plan';
import { createResources } from './stack/resources';
import { startServices } from './stack/serverless-offline';
import { createStoppers, type Stoppers } from './stack/stoppers';
import { type Triggers, wireTriggers } from './stack/triggers';
import type { LocalStepFunctions } from './stepfunctions';

export { localClientConfig } from './stack/aws';
export { AWS_PORTS, DEFAULT_STATE_DIR } from './stack/plan';

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
 * The workflows a previous run left running go on from where they were. Those of a compose
 * service not started this time wait for a start that has it.
 */
const resumeWorkflows = async (plan: StackPlan, sfn: LocalStepFunctions) => {
  const runningServices = new Set(plan.services.map((s) => s.name));
  const resumed = await sfn.resumeExecutions({
    later: (owner) => !runningServices.has(owner) && plan.composed.some((s) => s.name === owner),
  });
  if (resumed.resumed + resumed.failed > 0) {
    plan.progress(
      `${resumed.resumed} executions resumed${resumed.failed ? `, ${resumed.failed} failed` : ''}`,
    );
  }
};

/** Writes `endpoints.json` into the state folder, removed again when the stack stops. */
const writeEndpoints = async (stateDir: string, endpoints: Endpoints, stoppers: Stoppers) => {
  const endpointsFile = path.join(stateDir, 'endpoints.json');
  await writeFile(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);
  stoppers.add(() => rm(endpointsFile, { force: true }));
};

/** The handle on a started stack. */
const stackHandle = (
  plan: StackPlan,
  packaged: PackagedService[],
  aws: LocalAws,
  endpoints: Endpoints,
  { rules, mappings, streamPollers }: Triggers,
  stoppers: Stoppers,
): Stack => ({
  endpoints,
  stage: plan.stage,
  templates: Object.fromEntries(packaged.map(({ name, template }) => [name, template])),
  dynamodb: aws.dynamodb,
  eventBridge: aws.eventBridge,
  rules,
  issuer: aws.issuer,
  mintToken: aws.issuer.mint,
  async pending() {
    return [...streamPollers.pending(), ...rules.pending(), ...(await mappings.pending())];
  },
  async idle() {
    await streamPollers.idle();
    await rules.idle();
    await mappings.idle();
    await rules.idle();
  },
  stop: stoppers.stopAll,
});

/** Awaits every promise (so that each part is up, or failed, before the stack is stopped), then throws the first failure. */
const allSettledOrThrow = async <T extends readonly unknown[]>(
  promises: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> => {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
};

/**
 * Starts the local stack from the services' packaged CloudFormation: DynamoDB Local, the token
 * issuer, EventBridge (bus, rules, targets), SQS (queues, DLQs, Lambda event source mappings),
 * Step Functions, the demo shop, and each service under serverless offline (started while
 * DynamoDB Local's JVM starts).
 * Writes `endpoints.json` into the state folder once everything answers.
 */
export const startStack = async (options: StackOptions = {}): Promise<Stack> => {
  // The SDK's notice that its 2027 releases need Node 22 is known (README); keep logs readable.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const plan = await planStack(options);
  const names = plan.services.map((s) => s.name).join(', ');
  const stoppers = createStoppers();
  try {
    const packaged = await packageServices(plan);
    plan.progress(`packaged ${names}`);
    const aws = await startLocalAws(plan, packaged, stoppers);
    const parts = { plan, packaged, aws, stoppers };
    // Serverless offline starts while DynamoDB Local's JVM does (neither needs the other to
    // start; nothing calls a function before the stack is up): ~3 s less on 2 cores.
    const [endpoints] = await allSettledOrThrow([
      startServices(parts).then((started) => {
        plan.progress(`${names} under serverless offline`);
        return started;
      }),
      aws.dynamodb.ready.then(async () => {
        plan.progress('DynamoDB Local');
        await createResources(parts);
        plan.progress('tables, queues and state machines');
      }),
    ]);
    const triggers = await wireTriggers(parts);
    await resumeWorkflows(plan, aws.sfn);
    await writeEndpoints(plan.stateDir, endpoints, stoppers);
    return stackHandle(plan, packaged, aws, endpoints, triggers, stoppers);
  } catch (error) {
    await stoppers.stopAll();
    throw error;
  }
};
