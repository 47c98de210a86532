import * as z from 'zod';
import { describeZodError } from '../errors';
import {
  DETAIL_TYPES,
  type DetailType,
  EVENT_DETAIL_SCHEMAS,
  eventSource,
  isDetailType,
} from '../events';
import { type JsonSchema, schemaChanges, schemaFields } from './compatibility';
import type { EventExamples } from './examples';
import type { ConsumerSchema, ServiceContract } from './types';

/*
 * The contract checks. Each returns the problems it found as sentences naming the services
 * concerned (empty = fine), so a test can `expect(problems).to.deep.equal([])` and a failure
 * reads as the fix. Every input is a parameter, so tests can feed broken ones.
 */

type DetailSchemas = Record<DetailType, z.ZodType>;

/** The shape of a packaged CloudFormation template these checks read. */
export interface TemplateLike {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const producersOf = (contracts: readonly ServiceContract[], type: DetailType) =>
  contracts.filter((c) => c.emits.includes(type)).map((c) => c.service);

const consumersOf = (contracts: readonly ServiceContract[], type: DetailType) =>
  contracts.filter((c) => Object.hasOwn(c.consumes, type));

const consumedTypes = (contract: ServiceContract) =>
  Object.keys(contract.consumes).filter(isDetailType);

/** The JSON Schema of a detail schema as consumers parse it (zod 4's `toJSONSchema`). */
export const detailJsonSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

const lenient = (consumer: ConsumerSchema, schema: z.ZodType): z.ZodType => {
  if (consumer !== 'all') return consumer;
  return schema instanceof z.ZodObject ? schema.strip() : schema;
};

const firstIssue = (error: z.ZodError) => {
  const { field, message } = describeZodError(error);
  return `field ${field}: ${message}`;
};

/**
 * The details a producer may emit, derived from its example: the example cut to the fields the
 * producer's schema has now ("full"), and the same with only its required fields ("minimal").
 */
export const sampleDetails = (
  schema: z.ZodType,
  example: Record<string, unknown>,
): { name: string; detail: Record<string, unknown> }[] => {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  const properties = Object.keys((json.properties as object | undefined) ?? {});
  const required = new Set((json.required as string[] | undefined) ?? []);
  const pick = (keep: (key: string) => boolean) =>
    Object.fromEntries(Object.entries(example).filter(([key]) => keep(key)));
  return [
    { name: 'full', detail: pick((key) => properties.includes(key)) },
    { name: 'minimal', detail: pick((key) => required.has(key)) },
  ];
};

/**
 * Between services: every emitted detail-type comes from its producer's source and has one
 * producer; every consumed one has a producer; and every detail a producer may emit (see
 * `sampleDetails`) parses with every consumer's schema.
 */
export const checkEventContracts = (
  contracts: readonly ServiceContract[],
  schemas: DetailSchemas = EVENT_DETAIL_SCHEMAS,
  examples: EventExamples,
): string[] => {
  const problems: string[] = [];
  for (const contract of contracts) {
    for (const type of contract.emits) {
      const source = eventSource(type);
      if (source !== `espresso.${contract.service}`) {
        problems.push(`${contract.service} emits ${type}, whose source is ${source}`);
      }
    }
    for (const type of consumedTypes(contract)) {
      if (producersOf(contracts, type).length === 0) {
        problems.push(`${contract.service} consumes ${type}, which no service emits`);
      }
    }
  }
  for (const type of DETAIL_TYPES) {
    const producers = producersOf(contracts, type);
    if (producers.length > 1) problems.push(`${type} has more than one producer: ${producers}`);
    const schema = schemas[type];
    const producer = producers[0];
    if (!producer) continue;
    for (const { name, detail } of sampleDetails(schema, examples[type])) {
      const own = schema.safeParse(detail);
      if (!own.success) {
        problems.push(
          `the ${name} example of ${type} does not satisfy ${producer}'s schema (${firstIssue(own.error)}): update packages/schemas/src/contracts/examples.ts (consumers: ${
            consumersOf(contracts, type)
              .map((c) => c.service)
              .join(', ') || 'none'
          })`,
        );
        continue;
      }
      for (const consumer of consumersOf(contracts, type)) {
        const reader = lenient(consumer.consumes[type] ?? 'all', schema);
        const read = reader.safeParse(own.data);
        if (!read.success) {
          problems.push(
            `${producer} emits ${type} details that ${consumer.service} cannot read (${name} detail, ${firstIssue(read.error)})`,
          );
        }
      }
    }
  }
  return problems;
};

/** Snapshot key of a detail-type's schema: `<detail-type>.v<version>`. */
export const snapshotKey = (type: DetailType, schema: JsonSchema): string => {
  const version = (schema.properties as Record<string, { const?: unknown }> | undefined)?.version
    ?.const;
  return `${type}.v${String(version ?? 'unversioned')}`;
};

/** The consumers whose schema reads `field` of `type` (`'all'` reads every field). */
const readersOf = (contracts: readonly ServiceContract[], type: DetailType, field: string) =>
  consumersOf(contracts, type)
    .filter((c) => {
      const consumer = c.consumes[type] ?? 'all';
      if (consumer === 'all') return true;
      const fields = schemaFields(detailJsonSchema(consumer));
      return fields.some(
        (f) =>
          f === field ||
          f.startsWith(`${field}.`) ||
          field.startsWith(`${f}.`) ||
          field.startsWith(`${f}[]`),
      );
    })
    .map((c) => c.service);

/**
 * Each detail-type's schema now against its committed snapshot for the same version: a breaking
 * change (see `schemaChanges`) without a new `version` is a problem naming the consumers that
 * read the field. A version with no snapshot yet, or a compatible change not yet snapshotted,
 * asks for `contracts:update`.
 */
export const checkSnapshots = (
  contracts: readonly ServiceContract[],
  snapshots: Record<string, JsonSchema>,
  schemas: DetailSchemas = EVENT_DETAIL_SCHEMAS,
): { breaking: string[]; stale: string[] } => {
  const breaking: string[] = [];
  const stale: string[] = [];
  for (const type of DETAIL_TYPES) {
    const current = detailJsonSchema(schemas[type]);
    const key = snapshotKey(type, current);
    const snapshot = snapshots[key];
    if (!snapshot) {
      stale.push(`${key} has no snapshot: run pnpm --filter @espresso/schemas contracts:update`);
      continue;
    }
    const changes = schemaChanges(snapshot, current);
    for (const change of changes.filter((c) => c.breaking)) {
      const readers = readersOf(contracts, type, change.field);
      breaking.push(
        `${key}: field ${change.field} ${change.message} without a new version — breaks ${readers.length > 0 ? readers.join(', ') : 'no declared consumer (but any reader of this version)'}; keep the field compatible or give ${type} version ${Number(key.split('.v').pop()) + 1 || 2}`,
      );
    }
    if (changes.length > 0 && changes.every((c) => !c.breaking)) {
      stale.push(
        `${key} changed compatibly (${changes.map((c) => `${c.field} ${c.message}`).join('; ')}): run pnpm --filter @espresso/schemas contracts:update`,
      );
    }
  }
  return { breaking, stale };
};

/** The detail-types and sources an `AWS::Events::Rule`'s EventPattern matches. */
export const rulesOf = (template: TemplateLike) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
    .map(([logicalId, resource]) => {
      const raw = resource.Properties?.EventPattern;
      const pattern = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Record<
        string,
        unknown
      >;
      const list = (value: unknown): unknown[] =>
        value === undefined ? [] : Array.isArray(value) ? value : [value];
      const unreadable: string[] = [];
      const detailTypes = list(pattern['detail-type']).flatMap((entry): string[] => {
        if (typeof entry === 'string') return [entry];
        const prefix = (entry as { prefix?: unknown } | null)?.prefix;
        if (typeof prefix === 'string') return DETAIL_TYPES.filter((t) => t.startsWith(prefix));
        unreadable.push(JSON.stringify(entry));
        return [];
      });
      if (pattern['detail-type'] === undefined)
        unreadable.push('(no detail-type: matches every event)');
      const sources = list(pattern.source).filter((s): s is string => typeof s === 'string');
      return { logicalId, detailTypes, sources, unreadable };
    });

/** The route keys of every API Gateway v2 route in a template. */
export const routesOf = (template: TemplateLike): string[] =>
  Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map((resource) => String(resource.Properties?.RouteKey));

/**
 * One service's packaged template against the contracts: each rule matches only detail-types
 * that exist, that some service emits, and from their producer's source; the rules match
 * exactly what the service declares it consumes; its routes are exactly the declared ones.
 */
export const checkServiceTemplate = (
  service: string,
  template: TemplateLike,
  contracts: readonly ServiceContract[],
): string[] => {
  const contract = contracts.find((c) => c.service === service);
  if (!contract) {
    return [
      `${service} has no contract: add packages/schemas/src/contracts/services/${service}.ts and list it in SERVICE_CONTRACTS`,
    ];
  }
  const problems: string[] = [];
  const matched = new Set<string>();
  for (const rule of rulesOf(template)) {
    const where = `rule ${rule.logicalId} of ${service}`;
    for (const entry of rule.unreadable) {
      problems.push(`${where} has a detail-type pattern the contract test cannot read: ${entry}`);
    }
    for (const type of rule.detailTypes) {
      matched.add(type);
      if (!isDetailType(type)) {
        problems.push(
          `${where} matches detail-type ${type}, which no schema in packages/schemas defines`,
        );
        continue;
      }
      if (producersOf(contracts, type).length === 0) {
        problems.push(`${where} matches ${type}, which no service emits`);
      }
      if (!rule.sources.includes(eventSource(type))) {
        problems.push(
          `${where} matches ${type} but not its source ${eventSource(type)}: it never fires`,
        );
      }
      if (!Object.hasOwn(contract.consumes, type)) {
        problems.push(
          `${where} matches ${type}, which ${service}'s contract does not list in consumes`,
        );
      }
    }
  }
  for (const type of consumedTypes(contract)) {
    if (!matched.has(type)) {
      problems.push(
        `${service}'s contract consumes ${type}, but no rule in its template matches it`,
      );
    }
  }
  const routes = routesOf(template);
  for (const route of routes) {
    if (!contract.routes.includes(route))
      problems.push(`${service} serves ${route}, not in its contract's routes`);
  }
  for (const route of contract.routes) {
    if (!routes.includes(route))
      problems.push(`${service}'s contract lists ${route}, which its template does not serve`);
  }
  return problems;
};
