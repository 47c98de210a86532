import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { exponentialPause, retry } from '@espresso/retry';
import { type ResolveContext, resolve, resourcesOfType, type Template } from './cloudformation';
import type { BusEvent } from './eventbridge';
import { compilePattern, validatePattern } from './eventbridge-pattern';
import { functionNameOf, type InvokeLambda } from './lambda';

export interface RuleTarget {
  id: string;
  arn: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap: Record<string, string>; inputTemplate: string };
  deadLetterArn?: string;
  maximumRetryAttempts?: number;
  messageGroupId?: string;
}

export interface Rule {
  logicalId: string;
  name: string;
  arn: string;
  busName: string;
  pattern: Record<string, unknown>;
  enabled: boolean;
  targets: RuleTarget[];
}

const busNameOf = (value: unknown) => {
  const text = value === undefined || value === null || value === '' ? 'default' : String(value);
  return text.includes(':event-bus/') ? (text.split(':event-bus/')[1] ?? text) : text;
};

/** The event rules (`AWS::Events::Rule` with an EventPattern) of a packaged template. */
export const rulesFromTemplate = (template: Template, ctx: ResolveContext): Rule[] =>
  resourcesOfType(template, 'AWS::Events::Rule').flatMap(({ logicalId, properties }) => {
    const p = resolve(properties, ctx) as Record<string, unknown>;
    if (p.EventPattern === undefined) return []; // scheduled rules are not emulated
    const pattern = (
      typeof p.EventPattern === 'string' ? JSON.parse(p.EventPattern) : p.EventPattern
    ) as Record<string, unknown>;
    validatePattern(pattern);
    const targets = ((p.Targets ?? []) as Record<string, unknown>[]).map((t): RuleTarget => {
      const transformer = t.InputTransformer as
        | { InputPathsMap?: Record<string, string>; InputTemplate: string }
        | undefined;
      const retry = t.RetryPolicy as { MaximumRetryAttempts?: number } | undefined;
      const dlq = t.DeadLetterConfig as { Arn?: string } | undefined;
      const sqs = t.SqsParameters as { MessageGroupId?: string } | undefined;
      return {
        id: String(t.Id),
        arn: String(t.Arn),
        ...(t.Input === undefined ? {} : { input: String(t.Input) }),
        ...(t.InputPath === undefined ? {} : { inputPath: String(t.InputPath) }),
        ...(transformer
          ? {
              inputTransformer: {
                inputPathsMap: transformer.InputPathsMap ?? {},
                inputTemplate: transformer.InputTemplate,
              },
            }
          : {}),
        ...(dlq?.Arn ? { deadLetterArn: dlq.Arn } : {}),
        ...(retry?.MaximumRetryAttempts === undefined
          ? {}
          : { maximumRetryAttempts: retry.MaximumRetryAttempts }),
        ...(sqs?.MessageGroupId ? { messageGroupId: sqs.MessageGroupId } : {}),
      };
    });
    return [
      {
        logicalId,
        name: String(ctx.refs[logicalId] ?? logicalId),
        arn: String(ctx.attributes[`${logicalId}.Arn`] ?? logicalId),
        busName: busNameOf(p.EventBusName),
        pattern,
        enabled: p.State === undefined || p.State === 'ENABLED',
        targets,
      },
    ];
  });

/** A JSONPath of the simple form EventBridge uses (`$`, `$.detail.orderId`, `$.resources[0]`). */
export const readPath = (value: unknown, path: string): unknown => {
  if (path === '$') return value;
  if (!path.startsWith('$')) throw new Error(`unsupported JSONPath ${path}`);
  const steps = path
    .slice(1)
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\[['"]([^'"]+)['"]\]/g, '.$1')
    .split('.')
    .filter((step) => step.length > 0);
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
};

/**
 * What a target receives: the whole event, a constant `Input`, the value at `InputPath`, or an
 * `InputTransformer` template with `<name>` placeholders filled from `InputPathsMap` (a quoted
 * placeholder takes the value's JSON, a placeholder inside a longer string takes its text).
 */
export const targetInput = (target: RuleTarget, event: Record<string, unknown>, rule: Rule) => {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined)
    return JSON.stringify(readPath(event, target.inputPath) ?? null);
  if (!target.inputTransformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': event.time,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(target.inputTransformer.inputPathsMap)) {
    values[name] = readPath(event, path);
  }
  const asJson = (value: unknown) => (value === undefined ? 'null' : JSON.stringify(value));
  // A placeholder inside a JSON string literal takes the value's text; anywhere else, its JSON.
  const template = target.inputTransformer.inputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === '\\' && inString) {
      out += char + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const close = template.indexOf('>', i);
      const name = close > i ? template.slice(i + 1, close) : '';
      if (Object.hasOwn(values, name)) {
        const value = values[name];
        out += inString && typeof value === 'string' ? value : asJson(value);
        i = close;
        continue;
      }
    }
    out += char;
  }
  return out;
};

export interface RuleRouterOptions {
  invokeLambda: InvokeLambda;
  sqs: SQSClient;
  sfn: SFNClient;
  /** SQS queue URL of a queue ARN (the local SQS endpoint's URL scheme). */
  queueUrlOf: (arn: string) => string;
  log: (line: string) => void;
  /** Local cap on EventBridge's retries (AWS: 185 over 24 h), and the first backoff. */
  maxRetries?: number;
  retryDelayMs?: number;
}

export interface RuleRouter {
  rules(): Rule[];
  add(rules: Rule[]): void;
  /** Delivers one event to every matching rule's targets (what EventBridge does after PutEvents). */
  route(event: BusEvent): void;
  /** Resolves when every delivery started so far has finished (tests). */
  idle(): Promise<void>;
  /** The deliveries in flight, one line each (what `idle` waits for). */
  pending(): string[];
  /** Deliveries so far: rule, target, outcome. */
  deliveries(): { rule: string; target: string; eventId: string; outcome: string }[];
}

/**
 * Routes bus events to the targets of the rules whose pattern they match, as EventBridge does:
 * Lambda (through serverless offline; a function error is retried twice, as Lambda's async
 * invocation does), SQS (SendMessage) and Step Functions (StartExecution). A target that cannot
 * be reached is retried with backoff and then, if the target has one, sent to its DLQ with the
 * attributes EventBridge adds (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE).
 */
export const createRuleRouter = (options: RuleRouterOptions): RuleRouter => {
  const all: { rule: Rule; matches: (event: unknown) => boolean }[] = [];
  const inFlight = new Set<Promise<void>>();
  const inFlightInfo = new Map<Promise<void>, { label: string; since: number }>();
  const log: { rule: string; target: string; eventId: string; outcome: string }[] = [];
  const maxRetries = options.maxRetries ?? 2;
  const retryDelayMs = options.retryDelayMs ?? 500;

  const deliver = async (rule: Rule, target: RuleTarget, event: BusEvent) => {
    const { eventBusName, ...envelope } = event;
    const input = targetInput(target, envelope, rule);
    const service = target.arn.split(':')[2];
    const attempts = 1 + Math.min(target.maximumRetryAttempts ?? maxRetries, maxRetries);
    let lastError: Error | undefined;
    const attemptDelivery = async () => {
      if (service === 'lambda') {
        const result = await options.invokeLambda(target.arn, JSON.parse(input));
        if (result.functionError) {
          // Lambda's async invocation retries a function error twice, then drops it
          // (or sends it to the function's own on-failure destination): not the rule's DLQ.
          throw Object.assign(new Error(JSON.stringify(result.payload)), { functionError: true });
        }
      } else if (service === 'sqs') {
        await options.sqs.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrlOf(target.arn),
            MessageBody: input,
            ...(target.messageGroupId ? { MessageGroupId: target.messageGroupId } : {}),
          }),
        );
      } else if (service === 'states') {
        await options.sfn.send(new StartExecutionCommand({ stateMachineArn: target.arn, input }));
      } else {
        throw new Error(`target type ${service} is not emulated locally`);
      }
      log.push({ rule: rule.name, target: target.id, eventId: event.id, outcome: 'delivered' });
    };
    try {
      return await retry(attemptDelivery, { attempts, pauseMs: exponentialPause(retryDelayMs) });
    } catch (error) {
      lastError = error as Error;
    }
    const functionError = (lastError as { functionError?: boolean } | undefined)?.functionError;
    options.log(
      `rule ${rule.name} → ${functionNameOf(target.arn)}: ${functionError ? 'function failed' : 'delivery failed'} after ${attempts} attempts: ${lastError?.message}`,
    );
    if (target.deadLetterArn && !functionError) {
      await options.sqs
        .send(
          new SendMessageCommand({
            QueueUrl: options.queueUrlOf(target.deadLetterArn),
            MessageBody: JSON.stringify(envelope),
            MessageAttributes: {
              RULE_ARN: { DataType: 'String', StringValue: rule.arn },
              TARGET_ARN: { DataType: 'String', StringValue: target.arn },
              ERROR_CODE: { DataType: 'String', StringValue: 'LocalDeliveryFailed' },
              ERROR_MESSAGE: {
                DataType: 'String',
                StringValue: String(lastError?.message).slice(0, 256),
              },
            },
          }),
        )
        .catch((error: Error) =>
          options.log(`DLQ ${target.deadLetterArn} failed: ${error.message}`),
        );
      log.push({ rule: rule.name, target: target.id, eventId: event.id, outcome: 'dead-lettered' });
    } else {
      log.push({ rule: rule.name, target: target.id, eventId: event.id, outcome: 'failed' });
    }
  };

  return {
    rules: () => all.map(({ rule }) => rule),
    add(rules) {
      for (const rule of rules) {
        all.push({ rule, matches: compilePattern(rule.pattern) });
      }
    },
    route(event) {
      const { eventBusName, ...envelope } = event;
      for (const { rule, matches } of all) {
        if (!rule.enabled || rule.busName !== eventBusName) continue;
        if (!matches(envelope)) continue;
        for (const target of rule.targets) {
          const delivery = deliver(rule, target, event).finally(() => {
            inFlight.delete(delivery);
            inFlightInfo.delete(delivery);
          });
          inFlight.add(delivery);
          inFlightInfo.set(delivery, {
            label: `rule ${rule.name} → ${target.arn}`,
            since: Date.now(),
          });
        }
      }
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    pending: () =>
      [...inFlightInfo.values()].map(({ label, since }) => `${label} for ${Date.now() - since} ms`),
    deliveries: () => [...log],
  };
};
