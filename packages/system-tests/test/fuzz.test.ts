import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import {
  ConnectionItemSchema,
  CounterItemSchema,
  ErrorBodySchema,
  MetricsDayItemSchema,
  NewOrderResponseSchema,
  OrderItemSchema,
  type PutShopConfigBody,
  QrBucketItemSchema,
  QrCodeResponseSchema,
  ShopConfigSchema,
} from '@espresso/schemas';
import { sharedTestStack, type TestStack } from '@espresso/test-support';
import { expect } from 'chai';
import fc from 'fast-check';
import type * as z from 'zod';

/**
 * Every HTTP route of every service (read from the packaged templates, so a new route is fuzzed
 * without touching this file) gets generated requests: wrong types, missing and extra fields,
 * huge strings, unicode, odd numbers, malformed JSON, wrong content types, odd path ids and
 * queries — from every kind of caller. Afterwards: no answer ≥ 500 (nor a Lambda error hidden
 * in a 200), every 4xx our handlers give carries the error body naming the problem, and every
 * item in every table still parses with its contract.
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const CONCURRENCY = 12;

/** The schema of each table's items, by the table name's last part. */
const ITEM_SCHEMAS: Record<string, z.ZodType> = {
  shops: ShopConfigSchema,
  orders: OrderItemSchema,
  'qr-codes': QrBucketItemSchema,
  counters: CounterItemSchema,
  connections: ConnectionItemSchema,
  metrics: MetricsDayItemSchema,
};

interface Route {
  service: string;
  method: string;
  path: string;
}

interface FuzzRequest {
  route: Route;
  url: string;
  caller: string;
  contentType: string | undefined;
  body: string | undefined;
}

const shopBody = (name: string): PutShopConfigBody => ({
  name,
  open: true,
  menu: [
    {
      drinkId: 'latte',
      name: 'Latte',
      icon: 'latte',
      available: true,
      modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
    },
  ],
  limits: {
    ordersPerCode: 1000,
    codeTtlSeconds: 300,
    maxOpenOrders: 1000,
    maxOrdersPerCustomerPerDay: 100,
  },
  timeouts: { customerSeconds: 300, baristaSeconds: 900 },
});

/** A well-formed body per route, the base the mutations start from. */
const validBodies = (qrCode: string): Record<string, Record<string, unknown>> => ({
  'PUT /shops/{shopId}/config': shopBody('Fuzzed bar') as unknown as Record<string, unknown>,
  'PUT /shops/{shopId}/open': { open: true },
  'POST /shops/{shopId}/orders': { qrCode },
  'PUT /shops/{shopId}/orders/{orderId}': { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
});

describe('fuzzing every route with every caller (local stack)', function () {
  this.timeout(900_000);
  let stack: TestStack;

  before(async function () {
    this.timeout(300_000);
    stack = await sharedTestStack();
  });
  after(async () => {
    await stack?.stop();
  });

  const baseUrl = (service: string): string => {
    const endpoints = stack.endpoints as unknown as Record<string, unknown>;
    const value =
      service === 'publisher'
        ? (endpoints.publisher as { http?: string }).http
        : endpoints[service];
    if (typeof value !== 'string') throw new Error(`no HTTP endpoint for ${service}`);
    return value;
  };

  const routesOf = (): Route[] =>
    Object.entries(stack.templates).flatMap(([service, template]) =>
      Object.values(template.Resources)
        .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map((r) => String(r.Properties?.RouteKey))
        .filter((key) => key.includes(' '))
        .map((key) => {
          const [method = '', path = ''] = key.split(' ');
          return { service, method, path };
        }),
    );

  it('answers every generated request below 500 with a body naming the problem, and keeps every item valid', async () => {
    const shopA = `fuzz-a-${Date.now().toString(36)}`;
    const shopB = `fuzz-b-${Date.now().toString(36)}`;
    for (const shopId of [shopA, shopB]) {
      const admin = await stack.token({ role: 'admin', shopId });
      const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
        token: admin,
        body: shopBody('Fuzz bar'),
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    const tokens: Record<string, string | undefined> = {
      anonymous: undefined,
      garbage: 'not.a.jwt',
      expired: await stack.token({ role: 'customer', sub: 'fuzz-owner', expiresIn: -60 }),
      owner: await stack.token({ role: 'customer', sub: 'fuzz-owner' }),
      otherCustomer: await stack.token({ role: 'customer', sub: 'fuzz-other' }),
      barista: await stack.token({ role: 'barista', shopId: shopA, sub: 'fuzz-barista' }),
      otherBarista: await stack.token({ role: 'barista', shopId: shopB }),
      admin: await stack.token({ role: 'admin', shopId: shopA }),
      everyShopAdmin: await stack.token({ role: 'admin', shopId: '*' }),
      display: await stack.token({ role: 'display', shopId: shopA }),
    };
    // Real orders to aim at, so the generated requests also reach the deeper checks.
    const qr = QrCodeResponseSchema.parse(
      (await stack.call('orders', 'GET', `/shops/${shopA}/qr-code`, { token: tokens.display }))
        .body,
    );
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await stack.call('orders', 'POST', `/shops/${shopA}/orders`, {
        token: tokens.owner,
        body: { qrCode: qr.code },
      });
      orderIds.push(NewOrderResponseSchema.parse(res.body).orderId);
    }

    const routes = routesOf();
    expect(routes.map((r) => `${r.method} ${r.path}`)).to.include.members([
      'GET /shops/{shopId}/config',
      'POST /shops/{shopId}/orders',
      'GET /shops/{shopId}/metrics',
    ]);
    const bodies = validBodies(qr.code);

    const weird = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom(
        '',
        ' ',
        '..',
        '%',
        '\u0000',
        '🙂☕',
        'a'.repeat(300),
        '<script>',
        "' OR 1=1 --",
        'null',
        '-1',
        '1e309',
        '*',
      ),
    );
    const segment: Record<string, fc.Arbitrary<string>> = {
      shopId: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(shopA, shopB, 'demo', 'nowhere') },
        { weight: 2, arbitrary: weird },
      ),
      orderId: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...orderIds) },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 2, arbitrary: weird },
      ),
      action: fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom('claim', 'unclaim', 'complete', 'cancel') },
        { weight: 1, arbitrary: weird },
      ),
    };
    const date = fc.oneof(
      fc.constantFrom('2026-11-25', '2026-11-01', '2026-02-30', '2025-01-01', '2026-11-25T00:00'),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      weird,
    );
    const oddNumber = fc.oneof(
      fc.integer({ min: -(2 ** 53), max: 2 ** 53 }),
      fc.double(),
      fc.constantFrom(0, -1, 1e308, -1e308, 0.5),
    );
    const bodyFor = (key: string): fc.Arbitrary<string | undefined> => {
      const base = bodies[key];
      const anyJson = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
      const malformed = fc.constantFrom('{', '{"a":', 'nul', '[1,2', '\u0000', '', '{"qrCode":}');
      if (!base) return fc.oneof(fc.constant(undefined), anyJson, malformed);
      const keys = Object.keys(base);
      const field = fc.constantFrom(...keys);
      return fc.oneof(
        { weight: 2, arbitrary: fc.constant(JSON.stringify(base)) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(field, fc.oneof(fc.jsonValue({ maxDepth: 2 }), oddNumber, weird))
            .map(([k, v]) => JSON.stringify({ ...base, [k]: v })),
        },
        {
          weight: 1,
          arbitrary: field.map((k) => {
            const { [k]: _dropped, ...rest } = base;
            return JSON.stringify(rest);
          }),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 }))
            .map(([k, v]) => JSON.stringify({ ...base, [`x${k}`]: v })),
        },
        {
          weight: 1,
          arbitrary: field.map((k) => JSON.stringify({ ...base, [k]: 'x'.repeat(200_000) })),
        },
        { weight: 1, arbitrary: anyJson },
        { weight: 1, arbitrary: malformed },
      );
    };
    const contentType = fc.constantFrom(
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      undefined,
    );
    const request: fc.Arbitrary<FuzzRequest> = fc.constantFrom(...routes).chain((route) => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
      const key = `${route.method} ${route.path}`;
      const hasBody = !['GET', 'HEAD'].includes(route.method);
      return fc
        .record({
          values: fc.tuple(...names.map((n) => segment[n] ?? weird)),
          caller: fc.constantFrom(...Object.keys(tokens)),
          contentType,
          body: hasBody ? bodyFor(key) : fc.constant(undefined),
          query: route.path.endsWith('/metrics')
            ? fc
                .tuple(fc.option(date), fc.option(date))
                .map(([from, to]) =>
                  [
                    from === null ? '' : `from=${encodeURIComponent(from)}`,
                    to === null ? '' : `to=${encodeURIComponent(to)}`,
                  ]
                    .filter(Boolean)
                    .join('&'),
                )
            : fc.constant(''),
        })
        .map(({ values, caller, contentType, body, query }) => {
          let path = route.path;
          names.forEach((name, i) => {
            path = path.replace(`{${name}}`, encodeURIComponent(values[i] ?? ''));
          });
          return {
            route,
            url: `${path}${query ? `?${query}` : ''}`,
            caller,
            contentType,
            body,
          };
        });
    });

    const generated = fc.sample(request, { numRuns: REQUESTS, seed: SEED });
    const byStatus = new Map<number, number>();
    const byRoute = new Map<string, number>();
    const failures: string[] = [];
    let gateway = 0;
    let ours = 0;
    const send = async (r: FuzzRequest) => {
      const headers: Record<string, string> = {};
      const token = tokens[r.caller];
      if (token) headers.authorization = `Bearer ${token}`;
      if (r.contentType) headers['content-type'] = r.contentType;
      const response = await fetch(`${baseUrl(r.route.service)}${r.url}`, {
        method: r.route.method,
        headers,
        ...(r.body === undefined ? {} : { body: r.body }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      const status = response.status;
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      const routeKey = `${r.route.method} ${r.route.path}`;
      byRoute.set(routeKey, (byRoute.get(routeKey) ?? 0) + 1);
      const what = `${r.route.method} ${r.url.slice(0, 120)} as ${r.caller} (${r.contentType}) → ${status} ${text.slice(0, 200)}`;
      const lambdaError =
        body !== null &&
        typeof body === 'object' &&
        ('errorType' in body || 'errorMessage' in body);
      if (status >= 500 || lambdaError) {
        failures.push(what);
        return;
      }
      if (status < 400) return;
      if (ErrorBodySchema.safeParse(body).success) {
        const { error } = ErrorBodySchema.parse(body);
        if (error.message.trim().length === 0) failures.push(`empty message: ${what}`);
        ours++;
        return;
      }
      // Answers API Gateway (here: serverless offline) gives before any handler runs: the JWT
      // authorizer's 401 and a path that matches no route.
      const isGateway =
        (status === 401 && /Unauthorized/.test(text)) ||
        (status === 404 && /route not found|Not Found/i.test(text)) ||
        status === 413 ||
        // serverless offline (hapi) parses a JSON body whose content type names a charset and
        // refuses a malformed one itself; API Gateway passes the body on to the handler.
        (status === 400 && /Invalid request payload JSON format/.test(text));
      if (isGateway) gateway++;
      else failures.push(`no error body: ${what}`);
    };

    const queue = [...generated];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          try {
            await send(next);
          } catch (error) {
            failures.push(`${next.route.method} ${next.url}: ${String(error)}`);
          }
        }
      }),
    );

    await stack.idle();
    const dynamo = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stack.endpoints.aws.dynamodb,
        region: stack.endpoints.aws.region,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const { TableNames = [] } = await dynamo.send(new ListTablesCommand({}));
    const items: Record<string, number> = {};
    for (const table of TableNames) {
      const kind = Object.keys(ITEM_SCHEMAS).find((k) => table.endsWith(`-${k}`));
      if (!kind) {
        failures.push(`table ${table} has no item schema in packages/schemas`);
        continue;
      }
      const schema = ITEM_SCHEMAS[kind] as z.ZodType;
      items[table] = 0;
      for await (const page of paginateScan({ client: dynamo }, { TableName: table })) {
        for (const item of page.Items ?? []) {
          items[table] = (items[table] ?? 0) + 1;
          const parsed = schema.safeParse(item);
          if (!parsed.success) {
            failures.push(`${table} item breaks its schema: ${parsed.error.message.slice(0, 300)}`);
          }
        }
      }
    }
    dynamo.destroy();

    console.log(
      `      ${generated.length} requests over ${byRoute.size} routes (seed ${SEED}): ` +
        [...byStatus]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ') +
        `; 4xx from handlers ${ours}, from the gateway ${gateway}; ` +
        `items checked ${Object.values(items).reduce((a, b) => a + b, 0)} in ${Object.keys(items).length} tables`,
    );
    expect(byRoute.size, 'every route was fuzzed').to.equal(routes.length);
    expect(failures.slice(0, 20), `${failures.length} failures`).to.deep.equal([]);
  });
});
