import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/** The unit prices the model uses; they live in `prices.us-east-1.json` with their sources. */
export const PricesSchema = z.object({
  region: z.string(),
  asOf: z.string(),
  lambda: z.object({
    source: z.string(),
    perMillionRequests: z.number(),
    perGbSecondArm64: z.number(),
    billingGranularityMs: z.number(),
  }),
  stepFunctions: z.object({
    source: z.string(),
    standardPerThousandTransitions: z.number(),
    expressPerMillionRequests: z.number(),
    expressPerGbSecond: z.number(),
    expressBillingMs: z.number(),
    expressMinimumMb: z.number(),
  }),
  dynamodb: z.object({
    source: z.string(),
    perMillionWriteRequestUnits: z.number(),
    perMillionReadRequestUnits: z.number(),
    storagePerGbMonth: z.number(),
  }),
  eventbridge: z.object({ source: z.string(), perMillionCustomEvents: z.number() }),
  sqs: z.object({ source: z.string(), perMillionStandardRequests: z.number() }),
  apiGateway: z.object({
    source: z.string(),
    httpPerMillionRequests: z.number(),
    websocketPerMillionMessages: z.number(),
    websocketPerMillionConnectionMinutes: z.number(),
  }),
  cloudwatch: z.object({
    source: z.string(),
    logsIngestionPerGb: z.number(),
    logsStoragePerGbMonth: z.number(),
    customMetricPerMonth: z.number(),
    dashboardPerMonth: z.number(),
    standardAlarmPerMonth: z.number(),
  }),
  xray: z.object({
    source: z.string(),
    perMillionTracesRecorded: z.number(),
    samplingReservoirPerSecond: z.number(),
    samplingRate: z.number(),
  }),
  kms: z.object({
    source: z.string(),
    customerManagedKeyPerMonth: z.number(),
    perTenThousandRequests: z.number(),
  }),
});
export type Prices = z.infer<typeof PricesSchema>;

export const PRICES_FILE = new URL('../prices.us-east-1.json', import.meta.url);

export const loadPrices = async (file: URL | string = PRICES_FILE): Promise<Prices> =>
  PricesSchema.parse(JSON.parse(await readFile(file, 'utf8')));

/** What one order uses, on average, of everything AWS bills for. */
export interface Usage {
  lambdaInvocations: number;
  /** Billed Lambda compute: Σ memory (GB) × duration (s) over the invocations. */
  lambdaGbSeconds: number;
  standardTransitions: number;
  expressRequests: number;
  /** Billed Express duration: Σ max(64 MB) × duration rounded up to 100 ms. */
  expressGbSeconds: number;
  dynamodbWriteUnits: number;
  /** Write units of writes refused by their condition (billed; DynamoDB reports none). */
  dynamodbFailedWriteUnits: number;
  dynamodbReadUnits: number;
  /** Bytes the order leaves stored in the tables (billed per GB-month while kept). */
  dynamodbStoredBytes: number;
  events: number;
  sqsRequests: number;
  httpRequests: number;
  websocketMessages: number;
  websocketConnectionMinutes: number;
  /**
   * Bytes ingested by CloudWatch Logs: the handlers' JSON log lines and EMF blobs, the Lambda
   * platform's START/END/REPORT lines, the HTTP APIs' access log lines.
   */
  logBytes: number;
  /** Requests that start an X-Ray trace before sampling (every Lambda invocation: an upper bound). */
  traceRoots: number;
}

export const ZERO_USAGE: Usage = {
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  standardTransitions: 0,
  expressRequests: 0,
  expressGbSeconds: 0,
  dynamodbWriteUnits: 0,
  dynamodbFailedWriteUnits: 0,
  dynamodbReadUnits: 0,
  dynamodbStoredBytes: 0,
  events: 0,
  sqsRequests: 0,
  httpRequests: 0,
  websocketMessages: 0,
  websocketConnectionMinutes: 0,
  logBytes: 0,
  traceRoots: 0,
};

/** What a stage pays for each month whatever its orders: counted from the packaged templates and the run. */
export interface FixedInventory {
  dashboards: number;
  /** Standard-resolution metric alarms. */
  alarms: number;
  /** Distinct custom metrics (name + dimension values) the EMF blobs published, for one shop. */
  customMetricsPerShop: number;
  /** Those without a shop dimension: published once for the stage. */
  customMetricsPerStage: number;
  customerManagedKeys: number;
  /** Tables encrypted with the AWS managed key (`SSEEnabled` without a key of our own). */
  awsManagedKeyTables: number;
}

export const ZERO_INVENTORY: FixedInventory = {
  dashboards: 0,
  alarms: 0,
  customMetricsPerShop: 0,
  customMetricsPerStage: 0,
  customerManagedKeys: 0,
  awsManagedKeyTables: 0,
};

/** The volume and layout the per-order figures are put into (stated in the output). */
export interface Assumptions {
  /** Orders a month: sets the X-Ray sampling share and the fixed costs per order. */
  ordersPerMonth: number;
  shops: number;
  /** CloudWatch Logs retention of every log group (the templates' `RetentionInDays`). */
  logRetentionDays: number;
  /** Months an order stays in the tables. */
  storedMonths: number;
  /**
   * KMS requests of a table on the AWS managed key: DynamoDB caches the table key and asks KMS
   * again every 5 minutes while the table is used (an upper bound: used all month).
   */
  kmsRequestsPerTableMonth: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  ordersPerMonth: 100_000,
  shops: 1,
  logRetentionDays: 14,
  storedMonths: 1,
  kmsRequestsPerTableMonth: 12 * 24 * 30,
};

/**
 * The share of requests X-Ray records under the default sampling rule (the first request each
 * second, then 5 %), for requests spread evenly at `perSecond` (even spread: an upper bound).
 */
export const xraySampledShare = (perSecond: number, prices: Prices): number => {
  const { samplingReservoirPerSecond: reservoir, samplingRate } = prices.xray;
  if (perSecond <= reservoir) return 1;
  return (reservoir + samplingRate * (perSecond - reservoir)) / perSecond;
};

const GB = 1024 ** 3;

/** Express duration as billed: rounded up to 100 ms, at the 64 MB minimum, in GB-s. */
export const expressBilledGbSeconds = (durationMs: number, prices: Prices, memoryMb = 64) => {
  const { expressBillingMs, expressMinimumMb } = prices.stepFunctions;
  const billedMs = Math.max(
    expressBillingMs,
    Math.ceil(durationMs / expressBillingMs) * expressBillingMs,
  );
  return (Math.max(memoryMb, expressMinimumMb) / 1024) * (billedMs / 1000);
};

/**
 * The cost of 1,000 orders by line item (US dollars), and its total: what grows with orders.
 * Fixed monthly costs are apart (`fixedMonthly`).
 */
export const costPerThousand = (
  usage: Usage,
  prices: Prices,
  assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
) => {
  const m = 1000 / 1_000_000; // 1,000 orders, prices per million
  const tracesPerSecond = (assumptions.ordersPerMonth * usage.traceRoots) / (30 * 24 * 3600);
  const lines = {
    'Lambda requests': usage.lambdaInvocations * prices.lambda.perMillionRequests * m,
    'Lambda compute (arm64)': usage.lambdaGbSeconds * prices.lambda.perGbSecondArm64 * 1000,
    'Step Functions Standard transitions':
      usage.standardTransitions * prices.stepFunctions.standardPerThousandTransitions,
    'Step Functions Express requests':
      usage.expressRequests * prices.stepFunctions.expressPerMillionRequests * m,
    'Step Functions Express duration':
      usage.expressGbSeconds * prices.stepFunctions.expressPerGbSecond * 1000,
    'DynamoDB writes (WRU)':
      usage.dynamodbWriteUnits * prices.dynamodb.perMillionWriteRequestUnits * m,
    'DynamoDB failed conditional writes (WRU)':
      usage.dynamodbFailedWriteUnits * prices.dynamodb.perMillionWriteRequestUnits * m,
    'DynamoDB reads (RRU)':
      usage.dynamodbReadUnits * prices.dynamodb.perMillionReadRequestUnits * m,
    'DynamoDB storage (per month kept)':
      ((usage.dynamodbStoredBytes * 1000) / GB) *
      prices.dynamodb.storagePerGbMonth *
      assumptions.storedMonths,
    'EventBridge events': usage.events * prices.eventbridge.perMillionCustomEvents * m,
    'SQS requests': usage.sqsRequests * prices.sqs.perMillionStandardRequests * m,
    'HTTP API requests': usage.httpRequests * prices.apiGateway.httpPerMillionRequests * m,
    'WebSocket messages':
      usage.websocketMessages * prices.apiGateway.websocketPerMillionMessages * m,
    'WebSocket connection minutes':
      usage.websocketConnectionMinutes * prices.apiGateway.websocketPerMillionConnectionMinutes * m,
    'CloudWatch Logs ingestion':
      ((usage.logBytes * 1000) / GB) * prices.cloudwatch.logsIngestionPerGb,
    'CloudWatch Logs storage':
      ((usage.logBytes * 1000) / GB) *
      prices.cloudwatch.logsStoragePerGbMonth *
      (assumptions.logRetentionDays / 30),
    'X-Ray traces recorded':
      usage.traceRoots *
      xraySampledShare(tracesPerSecond, prices) *
      prices.xray.perMillionTracesRecorded *
      m,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return { lines, total };
};

/** What a stage pays each month whatever its orders (US dollars), by line item. */
export const fixedMonthly = (
  inventory: FixedInventory,
  prices: Prices,
  assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
) => {
  const lines = {
    'CloudWatch dashboards': inventory.dashboards * prices.cloudwatch.dashboardPerMonth,
    'CloudWatch alarms (standard)': inventory.alarms * prices.cloudwatch.standardAlarmPerMonth,
    'CloudWatch custom metrics (EMF)':
      (inventory.customMetricsPerStage + inventory.customMetricsPerShop * assumptions.shops) *
      prices.cloudwatch.customMetricPerMonth,
    'KMS customer managed keys':
      inventory.customerManagedKeys * prices.kms.customerManagedKeyPerMonth,
    'KMS requests (AWS managed table keys)':
      ((inventory.awsManagedKeyTables * assumptions.kmsRequestsPerTableMonth) / 10_000) *
      prices.kms.perTenThousandRequests,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return { lines, total, perThousandOrders: (total * 1000) / assumptions.ordersPerMonth };
};
