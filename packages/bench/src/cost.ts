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
  }),
  eventbridge: z.object({ source: z.string(), perMillionCustomEvents: z.number() }),
  sqs: z.object({ source: z.string(), perMillionStandardRequests: z.number() }),
  apiGateway: z.object({
    source: z.string(),
    httpPerMillionRequests: z.number(),
    websocketPerMillionMessages: z.number(),
    websocketPerMillionConnectionMinutes: z.number(),
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
  dynamodbReadUnits: number;
  events: number;
  sqsRequests: number;
  httpRequests: number;
  websocketMessages: number;
  websocketConnectionMinutes: number;
}

export const ZERO_USAGE: Usage = {
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  standardTransitions: 0,
  expressRequests: 0,
  expressGbSeconds: 0,
  dynamodbWriteUnits: 0,
  dynamodbReadUnits: 0,
  events: 0,
  sqsRequests: 0,
  httpRequests: 0,
  websocketMessages: 0,
  websocketConnectionMinutes: 0,
};

/** Express duration as billed: rounded up to 100 ms, at the 64 MB minimum, in GB-s. */
export const expressBilledGbSeconds = (durationMs: number, prices: Prices, memoryMb = 64) => {
  const { expressBillingMs, expressMinimumMb } = prices.stepFunctions;
  const billedMs = Math.max(
    expressBillingMs,
    Math.ceil(durationMs / expressBillingMs) * expressBillingMs,
  );
  return (Math.max(memoryMb, expressMinimumMb) / 1024) * (billedMs / 1000);
};

/** The cost of 1,000 orders by line item (US dollars), and its total. */
export const costPerThousand = (usage: Usage, prices: Prices) => {
  const m = 1000 / 1_000_000; // 1,000 orders, prices per million
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
    'DynamoDB reads (RRU)':
      usage.dynamodbReadUnits * prices.dynamodb.perMillionReadRequestUnits * m,
    'EventBridge events': usage.events * prices.eventbridge.perMillionCustomEvents * m,
    'SQS requests': usage.sqsRequests * prices.sqs.perMillionStandardRequests * m,
    'HTTP API requests': usage.httpRequests * prices.apiGateway.httpPerMillionRequests * m,
    'WebSocket messages':
      usage.websocketMessages * prices.apiGateway.websocketPerMillionMessages * m,
    'WebSocket connection minutes':
      usage.websocketConnectionMinutes * prices.apiGateway.websocketPerMillionConnectionMinutes * m,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return { lines, total };
};
