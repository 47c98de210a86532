import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import * as z from 'zod';
import {
  DETAIL_TYPES,
  EVENT_DETAIL_SCHEMAS,
  OrderCompletedDetailSchema,
  ShopUnavailableDetailSchema,
} from '../events';
import {
  checkEventContracts,
  checkServiceTemplate,
  checkSnapshots,
  contractOf,
  defineContract,
  detailJsonSchema,
  EVENT_EXAMPLES,
  SERVICE_CONTRACTS,
  type ServiceContract,
  type TemplateLike,
} from './index';
import { readSnapshots } from './snapshots';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** A consumer like the metrics service: reads a few fields of the order endings. */
const metrics = defineContract({
  service: 'metrics',
  emits: [],
  consumes: {
    'OrderManager.OrderCompleted': z.object({
      shopId: z.string(),
      orderId: z.string(),
      at: z.string(),
      drinkId: z.string(),
      baristaId: z.string(),
      orderNumber: z.number().optional(),
      submittedAt: z.string(),
      claimedAt: z.string(),
    }),
    'OrderProcessor.ShopUnavailable': 'all',
  },
  routes: [],
});
const withMetrics = [...SERVICE_CONTRACTS.filter((c) => c.service !== 'metrics'), metrics];

/** The catalogue with one producer schema replaced. */
const schemasWith = (type: keyof typeof EVENT_DETAIL_SCHEMAS, schema: z.ZodType) => ({
  ...EVENT_DETAIL_SCHEMAS,
  [type]: schema,
});

describe('contracts between services', () => {
  describe('the repository as it is', () => {
    it('declares a contract for every service of serverless-compose.yml', async () => {
      const compose = await readFile(path.join(REPO_ROOT, 'serverless-compose.yml'), 'utf8');
      const services = [...compose.matchAll(/^ {2}([\w-]+):\s*$/gm)].map((m) => String(m[1]));
      expect(services).to.include.members(['config', 'orders']);
      for (const service of services) expect(() => contractOf(service), service).not.to.throw();
      expect(SERVICE_CONTRACTS.map((c) => c.service)).to.have.members(services);
    });

    it('has every event emitted by one service and readable by each consumer', () => {
      expect(
        checkEventContracts(SERVICE_CONTRACTS, EVENT_DETAIL_SCHEMAS, EVENT_EXAMPLES),
      ).to.deep.equal([]);
      for (const type of DETAIL_TYPES) {
        expect(EVENT_DETAIL_SCHEMAS[type].safeParse(EVENT_EXAMPLES[type]).success, type).to.equal(
          true,
        );
      }
    });

    it('changes no event schema incompatibly without a new version', async () => {
      const { breaking } = checkSnapshots(SERVICE_CONTRACTS, await readSnapshots());
      expect(breaking).to.deep.equal([]);
    });

    it('has a snapshot of every event schema version, up to date', async () => {
      const { stale } = checkSnapshots(SERVICE_CONTRACTS, await readSnapshots());
      expect(stale).to.deep.equal([]);
    });
  });

  describe('a producer that breaks a consumer', () => {
    [
      {
        name: 'a removed field the consumer reads',
        schema: OrderCompletedDetailSchema.omit({ drinkId: true }),
        expected:
          /orders emits OrderManager.OrderCompleted details that metrics cannot read \(full detail, field drinkId/,
      },
      {
        name: 'a field the consumer needs made optional',
        schema: OrderCompletedDetailSchema.extend({ baristaId: z.string().optional() }),
        expected: /that metrics cannot read \(minimal detail, field baristaId/,
      },
      {
        name: 'a retyped field (the example no longer fits: consumers named)',
        schema: OrderCompletedDetailSchema.extend({ orderNumber: z.string() }),
        expected:
          /full example of OrderManager.OrderCompleted does not satisfy orders's schema \(field orderNumber.*consumers: publisher, metrics/,
      },
    ].forEach(({ name, schema, expected }) => {
      it(`names the consumer for ${name}`, () => {
        const problems = checkEventContracts(
          withMetrics,
          schemasWith('OrderManager.OrderCompleted', schema),
          EVENT_EXAMPLES,
        );
        expect(problems.join('\n')).to.match(expected);
      });
    });

    it('names a consumer of an event nobody emits, and an emitter with the wrong source', () => {
      const orphan = defineContract({
        service: 'metrics',
        emits: ['ConfigService.ConfigChanged'],
        consumes: { 'OrderManager.OrderCompleted': 'all' },
        routes: [],
      });
      const config = defineContract({ ...contractOf('config'), emits: [] });
      expect(
        checkEventContracts([config, orphan], EVENT_DETAIL_SCHEMAS, EVENT_EXAMPLES),
      ).to.deep.equal([
        'metrics emits ConfigService.ConfigChanged, whose source is espresso.config',
        'metrics consumes OrderManager.OrderCompleted, which no service emits',
      ]);
    });
  });

  describe('an event schema changed against its snapshot', () => {
    const snapshotOf = (schema: z.ZodType) => ({
      'OrderProcessor.ShopUnavailable.v1': detailJsonSchema(schema),
    });
    const onlyShopUnavailable = (problems: string[]) =>
      problems.filter((p) => p.startsWith('OrderProcessor.ShopUnavailable'));
    const check = (snapshot: z.ZodType, now: z.ZodType) =>
      checkSnapshots(
        withMetrics,
        snapshotOf(snapshot),
        schemasWith('OrderProcessor.ShopUnavailable', now),
      );

    [
      {
        name: 'a removed field',
        snapshot: ShopUnavailableDetailSchema,
        now: ShopUnavailableDetailSchema.omit({ reason: true }),
        expected:
          'OrderProcessor.ShopUnavailable.v1: field reason removed without a new version — breaks publisher, metrics',
      },
      {
        name: 'a retyped field',
        snapshot: ShopUnavailableDetailSchema,
        now: ShopUnavailableDetailSchema.extend({ reason: z.number() }),
        expected:
          'OrderProcessor.ShopUnavailable.v1: field reason retyped from string to number without a new version — breaks publisher, metrics',
      },
      {
        name: 'a new required field',
        snapshot: ShopUnavailableDetailSchema,
        now: ShopUnavailableDetailSchema.extend({ note: z.string() }),
        expected:
          'OrderProcessor.ShopUnavailable.v1: field note added as a required field without a new version — breaks publisher, metrics',
      },
      {
        name: 'an optional field made required',
        snapshot: ShopUnavailableDetailSchema.extend({ note: z.string().optional() }),
        now: ShopUnavailableDetailSchema.extend({ note: z.string() }),
        expected:
          'OrderProcessor.ShopUnavailable.v1: field note made required without a new version — breaks publisher, metrics',
      },
    ].forEach(({ name, snapshot, now, expected }) => {
      it(`fails on ${name}, naming the consumers`, () => {
        const [problem] = onlyShopUnavailable(check(snapshot, now).breaking);
        expect(problem).to.equal(
          `${expected}; keep the field compatible or give OrderProcessor.ShopUnavailable version 2`,
        );
      });
    });

    it('accepts an added optional field but asks for the snapshot to be refreshed', () => {
      const { breaking, stale } = check(
        ShopUnavailableDetailSchema,
        ShopUnavailableDetailSchema.extend({ note: z.string().optional() }),
      );
      expect(onlyShopUnavailable(breaking)).to.deep.equal([]);
      expect(onlyShopUnavailable(stale)).to.deep.equal([
        'OrderProcessor.ShopUnavailable.v1 changed compatibly (note added as an optional field): run pnpm --filter @espresso/schemas contracts:update',
      ]);
    });

    it('accepts a breaking change with a new version, once it has a snapshot', () => {
      const v2 = ShopUnavailableDetailSchema.omit({ reason: true }).extend({
        version: z.literal(2),
      });
      const { breaking, stale } = check(ShopUnavailableDetailSchema, v2);
      expect(onlyShopUnavailable(breaking)).to.deep.equal([]);
      expect(onlyShopUnavailable(stale)).to.deep.equal([
        'OrderProcessor.ShopUnavailable.v2 has no snapshot: run pnpm --filter @espresso/schemas contracts:update',
      ]);
    });
  });

  describe("a service's packaged rules and routes", () => {
    const rule = (pattern: unknown): TemplateLike['Resources'][string] => ({
      Type: 'AWS::Events::Rule',
      Properties: { EventPattern: pattern },
    });
    const route = (key: string): TemplateLike['Resources'][string] => ({
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: { RouteKey: key },
    });
    const metricsTemplate = (resources: TemplateLike['Resources']): TemplateLike => ({
      Resources: resources,
    });
    const endings = {
      source: ['espresso.orders'],
      'detail-type': ['OrderManager.OrderCompleted', 'OrderProcessor.ShopUnavailable'],
    };

    it('accepts rules and routes that match the declaration', () => {
      expect(
        checkServiceTemplate('metrics', metricsTemplate({ Endings: rule(endings) }), withMetrics),
      ).to.deep.equal([]);
    });

    const cases: {
      name: string;
      resources: TemplateLike['Resources'];
      expected: string[];
      contracts?: readonly ServiceContract[];
    }[] = [
      {
        name: 'a detail-type no schema defines',
        resources: {
          Endings: rule({
            ...endings,
            'detail-type': [...endings['detail-type'], 'OrderManager.OrderRefunded'],
          }),
        },
        expected: [
          'rule Endings of metrics matches detail-type OrderManager.OrderRefunded, which no schema in packages/schemas defines',
        ],
      },
      {
        name: 'a detail-type nobody emits',
        contracts: [
          ...SERVICE_CONTRACTS.filter((c) => c.service !== 'orders' && c.service !== 'metrics'),
          defineContract({
            ...contractOf('orders'),
            emits: contractOf('orders').emits.filter((t) => t !== 'OrderProcessor.ShopUnavailable'),
          }),
          metrics,
        ],
        resources: { Endings: rule(endings) },
        expected: [
          'rule Endings of metrics matches OrderProcessor.ShopUnavailable, which no service emits',
        ],
      },
      {
        name: 'a rule missing the source of its detail-type',
        resources: { Endings: rule({ ...endings, source: ['espresso.config'] }) },
        expected: [
          'rule Endings of metrics matches OrderManager.OrderCompleted but not its source espresso.orders: it never fires',
          'rule Endings of metrics matches OrderProcessor.ShopUnavailable but not its source espresso.orders: it never fires',
        ],
      },
      {
        name: 'a rule matching more than the declaration (a prefix pattern, read as JSON text)',
        resources: {
          Endings: rule(
            JSON.stringify({
              source: ['espresso.orders'],
              'detail-type': [{ prefix: 'OrderManager.OrderC' }, 'OrderProcessor.ShopUnavailable'],
            }),
          ),
        },
        expected: [
          "rule Endings of metrics matches OrderManager.OrderClaimed, which metrics's contract does not list in consumes",
          "rule Endings of metrics matches OrderManager.OrderCancelled, which metrics's contract does not list in consumes",
        ],
      },
      {
        name: 'a declared event no rule matches, and routes that drifted',
        resources: {
          Endings: rule({ ...endings, 'detail-type': ['OrderManager.OrderCompleted'] }),
          Get: route('GET /shops/{shopId}/metrics'),
        },
        expected: [
          "metrics's contract consumes OrderProcessor.ShopUnavailable, but no rule in its template matches it",
          "metrics serves GET /shops/{shopId}/metrics, not in its contract's routes",
        ],
      },
      {
        name: 'a service without a contract',
        contracts: SERVICE_CONTRACTS.filter((c) => c.service !== 'metrics'),
        resources: {},
        expected: [
          'metrics has no contract: add packages/schemas/src/contracts/services/metrics.ts and list it in SERVICE_CONTRACTS',
        ],
      },
    ];
    cases.forEach(({ name, resources, expected, contracts }) => {
      it(`reports ${name}`, () => {
        expect(
          checkServiceTemplate('metrics', metricsTemplate(resources), contracts ?? withMetrics),
        ).to.deep.equal(expected);
      });
    });
  });
});
