import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, type Stack, startStack, type Template } from '@espresso/local-cloud';
import {
  createHttp,
  median,
  putShop,
  type SimulationOptions,
  type SimulationResult,
  type Summary,
  simShopConfig,
  simulate,
  summarize,
  type Target,
} from '@espresso/simulator';
import { type BundleFigures, measureBundles } from './bundles';
import {
  type Assumptions,
  costPerThousand,
  DEFAULT_ASSUMPTIONS,
  expressBilledGbSeconds,
  type FixedInventory,
  fixedMonthly,
  type Prices,
  type Usage,
  ZERO_USAGE,
} from './cost';
import { type CpuByComponent, cpuPerOrder, sampleCpu } from './cpu';
import { createLogTally, type LogTally } from './logs';
import { createMeter, itemBytes, type Meter, type MeterCounts } from './meter';

/**
 * The measured runs' mix of endings (the warm-up is all completions): 10 % cancelled by the
 * barista, 5 % abandoned by the customer (never chosen: the shop's customer timeout, set to
 * `customerSeconds` for the run, ends them), the rest completed. The simulator has no barista
 * unclaim and no customer following an order over the WebSocket yet.
 */
export const WORKLOAD_MIX = { cancelRate: 0.1, abandonRate: 0.05, customerSeconds: 30 };

/** The Lambda platform's START, END and REPORT lines (with the X-Ray trace id) per invocation. */
export const PLATFORM_LOG_BYTES = 300;

/** The workload of a bench run, as the command line gives it. */
export interface BenchWorkload {
  /** Repeats of each measured run; figures are the medians over them. */
  repeat: number;
  /** Cold starts of the stack (each re-packages every service: slow). */
  coldRepeat: number;
  /** Orders of each saturation run. */
  orders: number;
  /** Customers (concurrent clients) of the saturation run. */
  customers: number;
  baristas: number;
  /** Fresh `node` processes per handler for its cold import time. */
  importRepeat: number;
  skipReady: boolean;
}

export interface BenchOptions extends BenchWorkload {
  prices: Prices;
  log: (line: string) => void;
}

export interface ReadyFigures {
  coldMs: number[];
  warmMs: number[];
  /** The last warm start's steps as `startStack` reports them (ms each). */
  warmSteps: Record<string, number>;
}

export interface RunFigures {
  pushLatencyMs: Summary;
  /** The same push latency measured from the OrderPlaced detail's `at` (what a deployed run can use). */
  pushFromDetailAtMs: Summary;
  lifecyclesPerSecond: number;
  /** The simulator's step latencies of this run (redeem, choose, claim, lifecycle …). */
  steps: SimulationResult['latencies'];
  /** PUT choice retries because the workflow was not waiting yet, per order. */
  notReadyRetriesPerOrder: number;
  completed: number;
  errors: number;
  errorSamples: string[];
  /** Orders placed (every ending counts: the per-order figures divide by them). */
  placed: number;
  outcomes: Record<string, number>;
  /** Where the log bytes per order come from. */
  logs: { handlerBytes: number; emfBytes: number; platformBytes: number; accessLogBytes: number };
  /** Invocations serverless offline reported with their duration, per order (≈ Lambda invocations). */
  offlineReportsPerOrder: number;
  perOrder: Usage & {
    /** Lambda GB-s from the proxy's and the client's waits (the figure before 2026-12-04). */
    lambdaGbSecondsClientWait: number;
    lambdaByFunction: Record<string, number>;
    dynamodbByTable: MeterCounts['dynamodb']['tables'];
  };
  metricsWritesPerEvent: number | string;
  /** CPU ms per order placed by component (each process of the stack, from /proc), largest first. */
  cpuMsPerOrder: CpuByComponent;
}

export interface BenchResult {
  at: string;
  machine: { cpus: number; node: string; platform: string };
  options: Omit<BenchOptions, 'prices' | 'log'>;
  services: string[];
  ready?: ReadyFigures & { coldMedianMs: number; warmMedianMs: number };
  runs: RunFigures[];
  /** Medians over `runs`. */
  summary: {
    pushLatencyP50Ms: number;
    pushLatencyP95Ms: number;
    pushLatencyP99Ms: number;
    lifecyclesPerSecond: number;
    errors: number;
    metricsWritesPerEvent: number | string;
    perOrder: Usage;
    /** What grows with orders, per 1,000 orders placed (the ≤ $0.30 target is on this). */
    costPerThousandOrders: ReturnType<typeof costPerThousand>;
    /** What a stage pays each month whatever its orders, and that spread over the assumed volume. */
    fixedMonthly: ReturnType<typeof fixedMonthly> & { inventory: FixedInventory };
    assumptions: Assumptions;
    mix: typeof WORKLOAD_MIX;
    /** The executions and transitions of the runs as the engine counted them (not capped). */
    engineUsage?: EngineUsage;
    loadAverage: { atStart: number[]; atEnd: number[] };
    /** Medians of the runs' CPU ms per order by component; `total` is their sum. */
    cpuMsPerOrder: CpuByComponent;
  };
  bundles: BundleFigures[];
  prices: { region: string; asOf: string };
}

const SERVICE_DIRS = (services: string[]) =>
  Object.fromEntries(services.map((s) => [s, path.join(REPO_ROOT, 'services', s)]));

/** The compose services the bench runs: every one present on this branch. */
export const benchServices = () =>
  ['config', 'orders', 'publisher', 'metrics'].filter((s) =>
    existsSync(path.join(REPO_ROOT, 'services', s, 'serverless.yml')),
  );

const tempStack = async (services: string[], extra: Parameters<typeof startStack>[0] = {}) => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-bench-'));
  const steps: Record<string, number> = {};
  const started = performance.now();
  const stack = await startStack({
    services,
    stateDir,
    persist: false,
    ports: 'free',
    progress: (step, ms) => {
      steps[step] = ms;
    },
    ...extra,
  });
  const readyMs = performance.now() - started;
  return {
    stack,
    readyMs,
    steps,
    async stop() {
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
};

/**
 * Stack ready time: cold = every service packaged again (the `local-package.json` markers
 * removed, as after a change) and a fresh state folder; warm = packages cached.
 */
export const measureReady = async (
  services: string[],
  options: BenchOptions,
): Promise<ReadyFigures> => {
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  let warmSteps: Record<string, number> = {};
  for (let i = 0; i < options.coldRepeat; i++) {
    for (const dir of Object.values(SERVICE_DIRS(services))) {
      await rm(path.join(dir, '.serverless', 'local-package.json'), { force: true });
    }
    const { readyMs, stop } = await tempStack(services);
    await stop();
    coldMs.push(readyMs);
    options.log(`ready (cold) ${Math.round(readyMs)} ms`);
  }
  for (let i = 0; i < options.repeat; i++) {
    const { readyMs, steps, stop } = await tempStack(services);
    await stop();
    warmMs.push(readyMs);
    warmSteps = steps;
    options.log(`ready (warm) ${Math.round(readyMs)} ms`);
  }
  return { coldMs, warmMs, warmSteps };
};

type EngineUsage = Record<'STANDARD' | 'EXPRESS', { executions: number; transitions: number }>;

interface ExecutionSummary {
  stateMachineName: string;
  type: string;
  status: string;
  startDate: string;
  stopDate?: string;
  stateTransitions: number;
}

/** The kept executions started since `since`, and the engine's uncapped counts so far. */
const executionsSince = async (
  stack: Stack,
  since: number,
): Promise<{ executions: ExecutionSummary[]; usage: EngineUsage }> => {
  const res = await fetch(`${stack.endpoints.aws.sfn}/_local/executions`);
  const { executions, usage } = (await res.json()) as {
    executions: ExecutionSummary[];
    usage: EngineUsage;
  };
  return { executions: executions.filter((e) => Date.parse(e.startDate) >= since), usage };
};

/** Engine counts between two readings. */
const usageDelta = (before: EngineUsage, after: EngineUsage): EngineUsage => ({
  STANDARD: {
    executions: after.STANDARD.executions - before.STANDARD.executions,
    transitions: after.STANDARD.transitions - before.STANDARD.transitions,
  },
  EXPRESS: {
    executions: after.EXPRESS.executions - before.EXPRESS.executions,
    transitions: after.EXPRESS.transitions - before.EXPRESS.transitions,
  },
});

/** A DynamoDB JSON call to the local endpoint (DynamoDB Local checks no signature). */
const dynamo = async (endpoint: string, operation: string, input: unknown) => {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDB_20120810.${operation}`,
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw new Error(`DynamoDB ${operation}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
};

/** The bytes stored in every table (items sized as DynamoDB bills them; indexes not counted). */
export const storedBytes = async (endpoint: string): Promise<number> => {
  const { TableNames } = (await dynamo(endpoint, 'ListTables', {})) as { TableNames: string[] };
  let total = 0;
  for (const table of TableNames) {
    let start: unknown;
    do {
      const page = (await dynamo(endpoint, 'Scan', {
        TableName: table,
        ...(start ? { ExclusiveStartKey: start } : {}),
      })) as { Items: Record<string, Record<string, unknown>>[]; LastEvaluatedKey?: unknown };
      for (const item of page.Items) total += itemBytes(item);
      start = page.LastEvaluatedKey;
    } while (start);
  }
  return total;
};

/** A typical value of each `$context` variable an access log format names (for its size). */
const ACCESS_LOG_SAMPLE: Record<string, string> = {
  requestId: 'Abc1dEf2GhI3jKA=',
  'identity.sourceIp': '203.0.113.100',
  requestTime: '04/Dec/2026:17:00:00 +0000',
  httpMethod: 'PUT',
  routeKey: 'PUT /shops/{shopId}/orders/{orderId}',
  status: '200',
  protocol: 'HTTP/1.1',
  responseLength: '412',
};

/** The size of one access log line of the HTTP APIs' format (the packaged templates'). */
export const accessLogLineBytes = (templates: Record<string, Template>): number => {
  const formats = Object.values(templates).flatMap((t) =>
    Object.values(t.Resources).flatMap((r) => {
      if (r.Type !== 'AWS::ApiGatewayV2::Stage') return [];
      const format = (r.Properties as { AccessLogSettings?: { Format?: unknown } } | undefined)
        ?.AccessLogSettings?.Format;
      return typeof format === 'string' ? [format] : [];
    }),
  );
  const format = formats[0];
  if (!format) return 0;
  return (
    Buffer.byteLength(
      format.replace(
        /\$context\.([A-Za-z.]+)/g,
        (_, name: string) => ACCESS_LOG_SAMPLE[name] ?? 'x'.repeat(12),
      ),
    ) + 1
  );
};

/** What the templates make a stage pay monthly (the EMF metrics come from the run's logs). */
export const templateInventory = (
  templates: Record<string, Template>,
): Omit<FixedInventory, 'customMetricsPerShop' | 'customMetricsPerStage'> => {
  const resources = Object.values(templates).flatMap((t) => Object.values(t.Resources));
  const ofType = (type: string) => resources.filter((r) => r.Type === type);
  return {
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    customerManagedKeys: ofType('AWS::KMS::Key').length,
    awsManagedKeyTables: ofType('AWS::DynamoDB::Table').filter((r) => {
      const sse = (r.Properties as { SSESpecification?: Record<string, unknown> } | undefined)
        ?.SSESpecification;
      return sse?.SSEEnabled === true && sse.KMSMasterKeyId === undefined;
    }).length,
  };
};

/** Memory of the stack's functions (MB): what Lambda bills compute at. */
const functionMemoryMb = (templates: Record<string, Template>): Record<string, number> => {
  const memory: Record<string, number> = {};
  for (const template of Object.values(templates)) {
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const props = resource.Properties ?? {};
      memory[String(props.FunctionName)] = Number(props.MemorySize ?? 1024);
    }
  }
  return memory;
};

/** The detail-types the metrics service's rules take, from its packaged template. */
export const metricsDetailTypes = (template: Template | undefined): string[] =>
  Object.values(template?.Resources ?? {}).flatMap((resource) => {
    if (resource.Type !== 'AWS::Events::Rule') return [];
    const pattern = (resource.Properties as { EventPattern?: Record<string, unknown> } | undefined)
      ?.EventPattern;
    const types = pattern?.['detail-type'];
    return Array.isArray(types) ? types.map(String) : [];
  });

/**
 * Metric writes per event (DESIGN §6): DynamoDB write requests on the metrics service's tables
 * (`espresso-metrics-*`) per bus event its rule takes — the detail-types read from its template.
 * "n/a" without the metrics service.
 */
export const metricsWritesPerEvent = (
  metricsTemplate: Template | undefined,
  counts: MeterCounts,
  busEvents: { 'detail-type': string }[],
): number | string => {
  if (!metricsTemplate) return 'n/a (metrics service not present)';
  const types = new Set(metricsDetailTypes(metricsTemplate));
  const writes = Object.entries(counts.dynamodb.tables)
    .filter(([table]) => table.startsWith('espresso-metrics-'))
    .reduce((sum, [, use]) => sum + use.writeRequests, 0);
  const events = busEvents.filter((e) => types.has(e['detail-type'])).length;
  return events === 0 ? 'n/a (no metric events)' : writes / events;
};

const usageOf = (
  result: SimulationResult,
  counts: MeterCounts,
  executions: ExecutionSummary[],
  engine: EngineUsage,
  memory: Record<string, number>,
  prices: Prices,
  baristas: number,
  logBytes: number,
  storedBytes: number,
  /** serverless offline's own durations of the invocations (ms, billed steps), when it printed them. */
  handlerMs: { invocations: number; billedMs: number },
): RunFigures['perOrder'] => {
  const orders = Math.max(1, result.orders.length);
  const httpRequests = Object.values(result.requests).reduce((a, b) => a + b, 0);
  const httpMs = Object.values(result.requestMs).reduce((a, b) => a + b, 0);
  const defaultGb = (median(Object.values(memory)) || 1024) / 1024;
  const internal = Object.entries(counts.lambda);
  const internalInvocations = internal.reduce((a, [, f]) => a + f.n, 0);
  const internalGbSeconds = internal.reduce(
    (a, [name, f]) => a + ((memory[name] ?? 1024) / 1024) * (f.ms / 1000),
    0,
  );
  // Counts from the engine (uncapped); Express durations from the kept executions (a sample
  // when more ran than the engine keeps).
  const express = executions.filter((e) => e.type === 'EXPRESS');
  const expressSampleGbSeconds = express.reduce(
    (a, e) =>
      a +
      expressBilledGbSeconds(
        Date.parse(e.stopDate ?? e.startDate) - Date.parse(e.startDate),
        prices,
      ),
    0,
  );
  const expressGbSeconds =
    express.length === 0
      ? 0
      : (expressSampleGbSeconds / express.length) * engine.EXPRESS.executions;
  // Each barista screen connects once ($connect) and disconnects once ($disconnect).
  const socketLambdas = baristas * 2;
  const posts = counts.requests.websocket?.PostToConnection ?? 0;
  const sqsRequests = Object.values(counts.requests.sqs ?? {}).reduce((a, b) => a + b, 0);
  const invocations = httpRequests + internalInvocations + socketLambdas;
  return {
    lambdaInvocations: invocations / orders,
    // The handlers' durations as serverless offline measured them (in its worker, on this
    // contended machine: still an upper bound); without them, the proxy's and the client's
    // waits (a far higher bound under load).
    lambdaGbSeconds:
      handlerMs.invocations > 0
        ? (defaultGb * (handlerMs.billedMs / 1000)) / orders
        : (internalGbSeconds + defaultGb * (httpMs / 1000)) / orders,
    lambdaGbSecondsClientWait: (internalGbSeconds + defaultGb * (httpMs / 1000)) / orders,
    standardTransitions: engine.STANDARD.transitions / orders,
    expressRequests: engine.EXPRESS.executions / orders,
    expressGbSeconds: expressGbSeconds / orders,
    dynamodbWriteUnits: counts.dynamodb.writeUnits / orders,
    dynamodbFailedWriteUnits: counts.dynamodb.failedWriteUnits / orders,
    dynamodbReadUnits: counts.dynamodb.readUnits / orders,
    dynamodbStoredBytes: storedBytes / orders,
    events: counts.eventEntries / orders,
    sqsRequests: sqsRequests / orders,
    httpRequests: httpRequests / orders,
    websocketMessages: posts / orders,
    websocketConnectionMinutes: (baristas * (result.elapsedMs / 60_000)) / orders,
    logBytes: logBytes / orders,
    traceRoots: invocations / orders,
    lambdaByFunction: Object.fromEntries(internal.map(([name, f]) => [name, f.n / orders])),
    dynamodbByTable: Object.fromEntries(
      Object.entries(counts.dynamodb.tables).map(([t, u]) => [
        t,
        {
          requests: u.requests / orders,
          writeRequests: u.writeRequests / orders,
          readUnits: u.readUnits / orders,
          writeUnits: u.writeUnits / orders,
          failedConditionalWrites: u.failedConditionalWrites / orders,
          failedWriteUnits: u.failedWriteUnits / orders,
        },
      ]),
    ),
  };
};

/** One measured repeat: a saturation run of complete lifecycles on a fresh shop. */
const measuredRun = async (
  stack: Stack,
  meter: Meter,
  logs: LogTally,
  target: Target,
  options: BenchOptions,
  repeat: number,
): Promise<RunFigures> => {
  const shopId = `bench-${Date.now().toString(36)}-${repeat}`;
  await putShop(
    target,
    createHttp({ requests: {}, errors: [] }),
    shopId,
    simShopConfig({ name: 'Bench bar', customerSeconds: WORKLOAD_MIX.customerSeconds }),
  );
  // When the bus accepted each OrderPlaced (ms): the push latency starts there.
  const placedOnBus = new Map<string, number>();
  const unsubscribe = stack.eventBridge.subscribe((event) => {
    if (event['detail-type'] === 'OrderManager.OrderPlaced' && event.detail.shopId === shopId) {
      placedOnBus.set(String(event.detail.orderId), Date.now());
    }
  });
  await stack.idle();
  const storedBefore = await storedBytes(stack.endpoints.aws.dynamodb);
  const engineBefore = (await executionsSince(stack, Date.now())).usage;
  meter.reset();
  logs.reset();
  const busBefore = stack.eventBridge.events().length;
  const cpuBefore = await sampleCpu();
  const since = Date.now();
  const sim: SimulationOptions = {
    target,
    shopId,
    customers: options.customers,
    baristas: options.baristas,
    orders: options.orders,
    cancelRate: WORKLOAD_MIX.cancelRate,
    abandonRate: WORKLOAD_MIX.abandonRate,
    thinkTimeMs: [0, 0],
    makeTimeMs: [0, 0],
    seed: 1,
    pollIntervalMs: 2000,
    drainTimeoutMs: 60_000,
    runId: shopId,
  };
  const result = await simulate(sim);
  await stack.idle();
  const cpuAfter = await sampleCpu();
  unsubscribe();
  const counts = meter.snapshot();
  const logged = logs.snapshot();
  const { executions, usage: engineAfter } = await executionsSince(stack, since);
  const engine = usageDelta(engineBefore, engineAfter);
  const stored = (await storedBytes(stack.endpoints.aws.dynamodb)) - storedBefore;
  const httpRequests = Object.values(result.requests).reduce((a, b) => a + b, 0);
  const internalInvocations = Object.values(counts.lambda).reduce((a, f) => a + f.n, 0);
  const invocations = httpRequests + internalInvocations + options.baristas * 2;
  const placed = Math.max(1, result.orders.length);
  const logParts = {
    handlerBytes: logged.handlerBytes / placed,
    emfBytes: logged.emfBytes / placed,
    platformBytes: (PLATFORM_LOG_BYTES * invocations) / placed,
    accessLogBytes: (accessLogLineBytes(stack.templates) * httpRequests) / placed,
  };
  const logBytes = Object.values(logParts).reduce((a, b) => a + b, 0) * placed;
  const pushLatency = result.orders
    .map((o) =>
      o.orderId && o.t.pushed
        ? o.t.pushed - (placedOnBus.get(o.orderId) ?? Number.NaN)
        : Number.NaN,
    )
    .filter(Number.isFinite);
  const fromAt = result.orders
    .map((o) => (o.t.pushed && o.t.placedAt ? o.t.pushed - o.t.placedAt : Number.NaN))
    .filter(Number.isFinite);
  const busEvents = stack.eventBridge.events().slice(busBefore);
  const errors =
    result.errors.length + result.inconsistent.length + (result.outcomes.UNFINISHED ?? 0);
  const figures: RunFigures = {
    pushLatencyMs: summarize(pushLatency),
    pushFromDetailAtMs: summarize(fromAt),
    lifecyclesPerSecond: result.completedPerSecond,
    steps: result.latencies,
    notReadyRetriesPerOrder:
      result.orders.reduce(
        (a, o) => a + ((o as { notReadyRetries?: number }).notReadyRetries ?? 0),
        0,
      ) / Math.max(1, result.orders.length),
    completed: result.outcomes.COMPLETED ?? 0,
    errors,
    errorSamples: [
      ...result.errors.slice(0, 3).map((e) => `${e.route}: ${e.message}`),
      ...result.inconsistent.slice(0, 3).map((o) => `${o.orderId} ${o.intent} → ${o.status}`),
    ],
    placed: result.orders.length,
    outcomes: result.outcomes,
    logs: logParts,
    offlineReportsPerOrder: logged.invocations / placed,
    perOrder: usageOf(
      result,
      counts,
      executions,
      engine,
      functionMemoryMb(stack.templates),
      options.prices,
      options.baristas,
      logBytes,
      stored,
      { invocations: logged.invocations, billedMs: logged.billedMs },
    ),
    metricsWritesPerEvent: metricsWritesPerEvent(stack.templates.metrics, counts, busEvents),
    cpuMsPerOrder: cpuPerOrder(cpuBefore, cpuAfter, placed),
  };
  engineTotals.push(engine);
  options.log(
    `run ${repeat + 1}: ${figures.placed} placed, ${figures.completed} completed, ${figures.lifecyclesPerSecond.toFixed(1)}/s, ${errors} errors, push p50 ${Math.round(figures.pushLatencyMs.p50)} ms`,
  );
  return figures;
};

export interface BundlesResult {
  at: string;
  machine: BenchResult['machine'];
  services: string[];
  /** Services with no package in `services/<name>/.serverless/` (not measured). */
  unpackaged: string[];
  importRepeat: number;
  bundles: BundleFigures[];
}

/** The machine a run measured: cores, Node, platform. */
export const machine = (): BenchResult['machine'] => ({
  cpus: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
});

/** `pnpm bench --only bundles`: the bundles as packaged now, no stack started. */
export const runBundlesOnly = async (importRepeat: number): Promise<BundlesResult> => {
  const services = benchServices();
  const at = new Date().toISOString();
  const bundles = await measureBundles(SERVICE_DIRS(services), importRepeat);
  return {
    at,
    machine: machine(),
    services,
    unpackaged: services.filter((s) => !bundles.some((b) => b.service === s)),
    importRepeat,
    bundles,
  };
};

const medianOf = <T>(runs: T[], pick: (r: T) => number) => median(runs.map(pick));

const usageSum = (a: EngineUsage, b: EngineUsage): EngineUsage => ({
  STANDARD: {
    executions: a.STANDARD.executions + b.STANDARD.executions,
    transitions: a.STANDARD.transitions + b.STANDARD.transitions,
  },
  EXPRESS: {
    executions: a.EXPRESS.executions + b.EXPRESS.executions,
    transitions: a.EXPRESS.transitions + b.EXPRESS.transitions,
  },
});

/** The engine's counts of each measured run (module state: one bench per process). */
const engineTotals: EngineUsage[] = [];

/** Everything `pnpm bench` measures, with the same inputs each time. */
export const runBench = async (options: BenchOptions): Promise<BenchResult> => {
  const services = benchServices();
  const at = new Date().toISOString();
  let ready: BenchResult['ready'];
  if (!options.skipReady) {
    const figures = await measureReady(services, options);
    ready = {
      ...figures,
      coldMedianMs: median(figures.coldMs),
      warmMedianMs: median(figures.warmMs),
    };
  }

  const loadAtStart = os.loadavg();
  const meter = createMeter();
  const logs = createLogTally();
  // The meter's proxies keep the process alive: stop them when the stack does not start.
  const { stack, stop } = await tempStack(services, {
    interpose: meter.interpose,
    log: logs.line,
  }).catch(async (error: unknown) => {
    await meter.stop();
    throw error;
  });
  let inventory: Omit<FixedInventory, 'customMetricsPerShop' | 'customMetricsPerStage'> = {
    dashboards: 0,
    alarms: 0,
    customerManagedKeys: 0,
    awsManagedKeyTables: 0,
  };
  let metrics = { perShop: 0, perStage: 0 };
  const runs: RunFigures[] = [];
  try {
    const { config, orders, publisher } = stack.endpoints;
    if (!config || !orders) throw new Error('the stack has no config or orders service');
    const target: Target = {
      config,
      orders,
      ...(publisher?.ws ? { ws: publisher.ws } : {}),
      token: stack.mintToken,
    };
    // Warm-up (not measured): serverless offline starts a worker per concurrent call the first
    // time, and those starts count against the functions' timeouts.
    const warmShop = `bench-warmup-${Date.now().toString(36)}`;
    await putShop(target, createHttp({ requests: {}, errors: [] }), warmShop, simShopConfig());
    await simulate({
      target,
      shopId: warmShop,
      customers: Math.max(2, Math.ceil(options.customers / 2)),
      baristas: options.baristas,
      orders: Math.max(10, options.customers),
      seed: 2,
      drainTimeoutMs: 60_000,
    });
    options.log('warm-up done');
    for (let i = 0; i < options.repeat; i++) {
      runs.push(await measuredRun(stack, meter, logs, target, options, i));
      const seen = logs.snapshot().metrics;
      metrics = { perShop: seen.perShop, perStage: seen.perStage };
    }
    inventory = templateInventory(stack.templates);
  } finally {
    await stop();
    await meter.stop();
  }

  const bundles = await measureBundles(SERVICE_DIRS(services), options.importRepeat);
  const perOrder = Object.fromEntries(
    (Object.keys(ZERO_USAGE) as (keyof Usage)[]).map((k) => [
      k,
      medianOf(runs, (r) => r.perOrder[k]),
    ]),
  ) as unknown as Usage;
  const metricsPerEvent = runs[0]?.metricsWritesPerEvent ?? 'n/a';
  const assumptions = DEFAULT_ASSUMPTIONS;
  const fullInventory: FixedInventory = {
    ...inventory,
    customMetricsPerShop: metrics.perShop,
    customMetricsPerStage: metrics.perStage,
  };
  return {
    at,
    machine: machine(),
    options: {
      repeat: options.repeat,
      coldRepeat: options.coldRepeat,
      orders: options.orders,
      customers: options.customers,
      baristas: options.baristas,
      importRepeat: options.importRepeat,
      skipReady: options.skipReady,
    },
    services,
    ...(ready ? { ready } : {}),
    runs,
    summary: {
      pushLatencyP50Ms: medianOf(runs, (r) => r.pushLatencyMs.p50),
      pushLatencyP95Ms: medianOf(runs, (r) => r.pushLatencyMs.p95),
      pushLatencyP99Ms: medianOf(runs, (r) => r.pushLatencyMs.p99),
      lifecyclesPerSecond: medianOf(runs, (r) => r.lifecyclesPerSecond),
      errors: runs.reduce((a, r) => a + r.errors, 0),
      metricsWritesPerEvent:
        typeof metricsPerEvent === 'number'
          ? medianOf(runs, (r) => Number(r.metricsWritesPerEvent))
          : metricsPerEvent,
      perOrder,
      costPerThousandOrders: costPerThousand(perOrder, options.prices, assumptions),
      fixedMonthly: {
        ...fixedMonthly(fullInventory, options.prices, assumptions),
        inventory: fullInventory,
      },
      assumptions,
      mix: WORKLOAD_MIX,
      ...(engineTotals.length > 0 ? { engineUsage: engineTotals.reduce(usageSum) } : {}),
      loadAverage: { atStart: loadAtStart, atEnd: os.loadavg() },
      cpuMsPerOrder: medianCpu(runs),
    },
    bundles,
    prices: { region: options.prices.region, asOf: options.prices.asOf },
  };
};

/** Each component's median over the runs (0 where a run did not see it), plus their total. */
const medianCpu = (runs: RunFigures[]): CpuByComponent => {
  const components = [...new Set(runs.flatMap((r) => Object.keys(r.cpuMsPerOrder)))];
  const medians = components
    .map((c) => [c, medianOf(runs, (r) => r.cpuMsPerOrder[c] ?? 0)] as const)
    .sort((a, b) => b[1] - a[1]);
  return {
    ...Object.fromEntries(medians),
    total: medians.reduce((sum, [, v]) => sum + v, 0),
  };
};
