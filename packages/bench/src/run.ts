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
  costPerThousand,
  expressBilledGbSeconds,
  type Prices,
  type Usage,
  ZERO_USAGE,
} from './cost';
import { createMeter, type Meter, type MeterCounts } from './meter';

export interface BenchOptions {
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
  perOrder: Usage & {
    lambdaByFunction: Record<string, number>;
    dynamodbByTable: MeterCounts['dynamodb']['tables'];
  };
  metricsWritesPerEvent: number | string;
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
    costPerThousandOrders: ReturnType<typeof costPerThousand>;
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

interface ExecutionSummary {
  stateMachineName: string;
  type: string;
  status: string;
  startDate: string;
  stopDate?: string;
  stateTransitions: number;
}

const executionsSince = async (stack: Stack, since: number): Promise<ExecutionSummary[]> => {
  const res = await fetch(`${stack.endpoints.aws.sfn}/_local/executions`);
  const { executions } = (await res.json()) as { executions: ExecutionSummary[] };
  return executions.filter((e) => Date.parse(e.startDate) >= since);
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
  memory: Record<string, number>,
  prices: Prices,
  baristas: number,
): RunFigures['perOrder'] => {
  const orders = Math.max(1, result.outcomes.COMPLETED ?? 0);
  const httpRequests = Object.values(result.requests).reduce((a, b) => a + b, 0);
  const httpMs = Object.values(result.requestMs).reduce((a, b) => a + b, 0);
  const defaultGb = (median(Object.values(memory)) || 1024) / 1024;
  const internal = Object.entries(counts.lambda);
  const internalInvocations = internal.reduce((a, [, f]) => a + f.n, 0);
  const internalGbSeconds = internal.reduce(
    (a, [name, f]) => a + ((memory[name] ?? 1024) / 1024) * (f.ms / 1000),
    0,
  );
  const standard = executions.filter((e) => e.type === 'STANDARD');
  const express = executions.filter((e) => e.type === 'EXPRESS');
  const expressGbSeconds = express.reduce(
    (a, e) =>
      a +
      expressBilledGbSeconds(
        Date.parse(e.stopDate ?? e.startDate) - Date.parse(e.startDate),
        prices,
      ),
    0,
  );
  // Each barista screen connects once ($connect) and disconnects once ($disconnect).
  const socketLambdas = baristas * 2;
  const posts = counts.requests.websocket?.PostToConnection ?? 0;
  const sqsRequests = Object.values(counts.requests.sqs ?? {}).reduce((a, b) => a + b, 0);
  return {
    lambdaInvocations: (httpRequests + internalInvocations + socketLambdas) / orders,
    // HTTP-invoked functions: the client's wait is an upper bound of the function's time.
    lambdaGbSeconds: (internalGbSeconds + defaultGb * (httpMs / 1000)) / orders,
    standardTransitions: standard.reduce((a, e) => a + e.stateTransitions, 0) / orders,
    expressRequests: express.length / orders,
    expressGbSeconds: expressGbSeconds / orders,
    dynamodbWriteUnits: counts.dynamodb.writeUnits / orders,
    dynamodbReadUnits: counts.dynamodb.readUnits / orders,
    events: counts.eventEntries / orders,
    sqsRequests: sqsRequests / orders,
    httpRequests: httpRequests / orders,
    websocketMessages: posts / orders,
    websocketConnectionMinutes: (baristas * (result.elapsedMs / 60_000)) / orders,
    lambdaByFunction: Object.fromEntries(internal.map(([name, f]) => [name, f.n / orders])),
    dynamodbByTable: Object.fromEntries(
      Object.entries(counts.dynamodb.tables).map(([t, u]) => [
        t,
        {
          requests: u.requests / orders,
          writeRequests: u.writeRequests / orders,
          readUnits: u.readUnits / orders,
          writeUnits: u.writeUnits / orders,
        },
      ]),
    ),
  };
};

/** One measured repeat: a saturation run of complete lifecycles on a fresh shop. */
const measuredRun = async (
  stack: Stack,
  meter: Meter,
  target: Target,
  options: BenchOptions,
  repeat: number,
): Promise<RunFigures> => {
  const shopId = `bench-${Date.now().toString(36)}-${repeat}`;
  await putShop(
    target,
    createHttp({ requests: {}, errors: [] }),
    shopId,
    simShopConfig({ name: 'Bench bar' }),
  );
  // When the bus accepted each OrderPlaced (ms): the push latency starts there.
  const placedOnBus = new Map<string, number>();
  const unsubscribe = stack.eventBridge.subscribe((event) => {
    if (event['detail-type'] === 'OrderManager.OrderPlaced' && event.detail.shopId === shopId) {
      placedOnBus.set(String(event.detail.orderId), Date.now());
    }
  });
  await stack.idle();
  meter.reset();
  const busBefore = stack.eventBridge.events().length;
  const since = Date.now();
  const sim: SimulationOptions = {
    target,
    shopId,
    customers: options.customers,
    baristas: options.baristas,
    orders: options.orders,
    cancelRate: 0,
    abandonRate: 0,
    thinkTimeMs: [0, 0],
    makeTimeMs: [0, 0],
    seed: 1,
    pollIntervalMs: 2000,
    drainTimeoutMs: 60_000,
    runId: shopId,
  };
  const result = await simulate(sim);
  await stack.idle();
  unsubscribe();
  const counts = meter.snapshot();
  const executions = await executionsSince(stack, since);
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
      result.orders.reduce((a, o) => a + o.notReadyRetries, 0) / Math.max(1, result.orders.length),
    completed: result.outcomes.COMPLETED ?? 0,
    errors,
    errorSamples: [
      ...result.errors.slice(0, 3).map((e) => `${e.route}: ${e.message}`),
      ...result.inconsistent.slice(0, 3).map((o) => `${o.orderId} ${o.intent} → ${o.status}`),
    ],
    perOrder: usageOf(
      result,
      counts,
      executions,
      functionMemoryMb(stack.templates),
      options.prices,
      options.baristas,
    ),
    metricsWritesPerEvent: metricsWritesPerEvent(stack.templates.metrics, counts, busEvents),
  };
  options.log(
    `run ${repeat + 1}: ${figures.completed} completed, ${figures.lifecyclesPerSecond.toFixed(1)}/s, ${errors} errors, push p50 ${Math.round(figures.pushLatencyMs.p50)} ms`,
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

const machine = (): BenchResult['machine'] => ({
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

  const meter = createMeter();
  const { stack, stop } = await tempStack(services, { interpose: meter.interpose });
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
      runs.push(await measuredRun(stack, meter, target, options, i));
    }
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
  const metrics = runs[0]?.metricsWritesPerEvent ?? 'n/a';
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
        typeof metrics === 'number'
          ? medianOf(runs, (r) => Number(r.metricsWritesPerEvent))
          : metrics,
      perOrder,
      costPerThousandOrders: costPerThousand(perOrder, options.prices),
    },
    bundles,
    prices: { region: options.prices.region, asOf: options.prices.asOf },
  };
};
