import { type HttpResult, logger } from '@espresso/runtime';
import {
  ErrorBodySchema,
  type Identity,
  PublicShopConfigSchema,
  type PutShopConfigBody,
  ShopConfigSchema,
  ShopListSchema,
} from '@espresso/schemas';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { VersionConflict } from '../adapters/shopsTable';
import { type Caller, callers, fakePorts, shopBody, storedShop } from '../use-cases/fakePorts.test';
import { buildHandler as buildGetShopConfig } from './getShopConfig/handler';
import { buildHandler as buildListShops } from './listShops/handler';
import { buildHandler as buildPutShopConfig } from './putShopConfig/handler';
import { buildHandler as buildPutShopOpen } from './putShopOpen/handler';

interface Request {
  routeKey: string;
  shopId?: string;
  /** The JWT authorizer's claims; none for a public route or an unauthenticated call. */
  claims?: Record<string, unknown>;
  body?: string;
  headers?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An HTTP API (payload 2.0) event as API Gateway passes it to the function. */
const makeEvent = (request: Request): APIGatewayProxyEventV2 => {
  const [method = 'GET', path = '/'] = request.routeKey.split(' ');
  const rawPath = path.replace('{shopId}', request.shopId ?? '');
  const requestContext: APIGatewayEventRequestContextV2 & { authorizer?: unknown } = {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.com',
    domainPrefix: 'api',
    http: {
      method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'mocha',
    },
    requestId: 'req-1',
    routeKey: request.routeKey,
    stage: '$default',
    time: '24/Nov/2026:08:00:00 +0000',
    timeEpoch: 1795766400000,
    ...(request.claims ? { authorizer: { jwt: { claims: request.claims, scopes: [] } } } : {}),
  };
  return {
    version: '2.0',
    routeKey: request.routeKey,
    rawPath,
    rawQueryString: '',
    headers: request.headers ?? { 'content-type': 'application/json' },
    requestContext,
    ...(request.shopId === undefined ? {} : { pathParameters: { shopId: request.shopId } }),
    ...(request.body === undefined ? {} : { body: request.body }),
    isBase64Encoded: request.isBase64Encoded ?? false,
  };
};

/** The claims of `identity` as API Gateway's JWT authorizer passes them: groups flattened. */
const claimsOf = (identity: Identity): Record<string, unknown> => ({
  sub: identity.sub,
  'cognito:groups': `[${identity.groups.join(' ')}]`,
  ...(identity.shopId === undefined ? {} : { 'custom:shopId': identity.shopId }),
});

const bodyOf = (result: HttpResult): unknown => JSON.parse(result.body ?? '');

/** The error of a 4xx answer, checked against the error contract. */
const errorOf = (result: HttpResult) => ErrorBodySchema.parse(bodyOf(result)).error;

const PUT_CONFIG = 'PUT /shops/{shopId}/config';
const PUT_OPEN = 'PUT /shops/{shopId}/open';

const putConfig = (caller: Caller, body: unknown = shopBody(), extra: Partial<Request> = {}) =>
  makeEvent({
    routeKey: PUT_CONFIG,
    shopId: 'cafe',
    claims: claimsOf(callers[caller]),
    body: JSON.stringify(body),
    ...extra,
  });

const putOpen = (caller: Caller, body: unknown = { open: true }, extra: Partial<Request> = {}) =>
  makeEvent({
    routeKey: PUT_OPEN,
    shopId: 'cafe',
    claims: claimsOf(callers[caller]),
    body: JSON.stringify(body),
    ...extra,
  });

/** A shop body whose menu is the one `drink` given, for the bad-input tables. */
const withDrink = (drink: Record<string, unknown>): PutShopConfigBody =>
  ({ ...shopBody(), menu: [drink] }) as PutShopConfigBody;

const latte = {
  drinkId: 'latte',
  name: 'Latte',
  icon: 'latte',
  available: true,
  modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
};

describe('config handlers', () => {
  const sandbox = sinon.createSandbox();

  beforeEach(() => {
    // Refusals are logged at info, failures at error: keep the test output clean.
    sandbox.stub(logger, 'info');
    sandbox.stub(logger, 'warn');
    sandbox.stub(logger, 'error');
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('GET /shops/{shopId}/config', () => {
    it('answers 200 with the public config to a caller who is not signed in', async () => {
      const { ports } = fakePorts(storedShop('cafe', { open: true }));

      const result = await buildGetShopConfig(() => ports)(
        makeEvent({ routeKey: 'GET /shops/{shopId}/config', shopId: 'cafe' }),
      );

      expect(result.statusCode).to.equal(200);
      const config = PublicShopConfigSchema.parse(bodyOf(result));
      expect(config).to.include({ shopId: 'cafe', open: true });
      expect(bodyOf(result)).not.to.have.any.keys('version', 'createdAt');
    });

    it('answers 404 for a shop that does not exist', async () => {
      const { ports } = fakePorts();

      const result = await buildGetShopConfig(() => ports)(
        makeEvent({ routeKey: 'GET /shops/{shopId}/config', shopId: 'cafe' }),
      );

      expect(result.statusCode).to.equal(404);
      expect(errorOf(result)).to.deep.equal({
        code: 'NOT_FOUND',
        message: 'shop cafe does not exist',
      });
    });

    it('answers 400 naming shopId for a shop id that is not a slug', async () => {
      const { ports } = fakePorts();

      const result = await buildGetShopConfig(() => ports)(
        makeEvent({ routeKey: 'GET /shops/{shopId}/config', shopId: 'Corner Cafe' }),
      );

      expect(result.statusCode).to.equal(400);
      expect(errorOf(result)).to.include({ code: 'INVALID_REQUEST', field: 'shopId' });
    });
  });

  describe('PUT /shops/{shopId}/config', () => {
    it('answers 401 to a caller without verified claims', async () => {
      const { ports, table } = fakePorts();

      const result = await buildPutShopConfig(() => ports)(
        makeEvent({ routeKey: PUT_CONFIG, shopId: 'cafe', body: JSON.stringify(shopBody()) }),
      );

      expect(result.statusCode).to.equal(401);
      expect(errorOf(result).code).to.equal('UNAUTHORIZED');
      expect(table.stored('cafe')).to.equal(undefined);
    });

    (
      [
        { name: 'refuses a customer with 403', input: 'customer', expected: 403 },
        { name: 'refuses the shop display with 403', input: 'display', expected: 403 },
        { name: 'refuses a barista of the shop with 403', input: 'barista', expected: 403 },
        {
          name: 'refuses an admin of another shop with 403',
          input: 'adminOfOtherShop',
          expected: 403,
        },
        { name: 'lets an admin of the shop create it (201)', input: 'admin', expected: 201 },
        {
          name: 'lets an admin of every shop create it (201)',
          input: 'adminOfEveryShop',
          expected: 201,
        },
      ] satisfies { name: string; input: Caller; expected: number }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, table, bus } = fakePorts();

        const result = await buildPutShopConfig(() => ports)(putConfig(c.input));

        expect(result.statusCode).to.equal(c.expected);
        if (c.expected === 403) {
          expect(errorOf(result).code).to.equal('FORBIDDEN');
          expect(table.stored('cafe')).to.equal(undefined);
          expect(bus.details).to.deep.equal([]);
        } else {
          expect(table.stored('cafe')).to.deep.equal(ShopConfigSchema.parse(bodyOf(result)));
        }
      });
    });

    [
      { name: 'malformed JSON', input: { body: '{"name":' } },
      { name: 'a non-JSON content type', input: { headers: { 'content-type': 'text/plain' } } },
      { name: 'no body at all', input: { body: undefined } },
      { name: 'an invalid config', input: { body: JSON.stringify({ name: '' }) } },
    ].forEach((c) => {
      it(`answers 403, not 400, to a barista who sends ${c.name}`, async () => {
        const { ports } = fakePorts();
        const event = putConfig('barista');

        const result = await buildPutShopConfig(() => ports)({ ...event, ...c.input });

        expect(result.statusCode).to.equal(403);
        expect(errorOf(result).code).to.equal('FORBIDDEN');
      });
    });

    it('answers 201 with the whole new config, version 1, on creation', async () => {
      const { ports } = fakePorts();

      const result = await buildPutShopConfig(() => ports)(putConfig('admin'));

      expect(result.statusCode).to.equal(201);
      expect(result.headers).to.deep.equal({ 'content-type': 'application/json; charset=utf-8' });
      const config = ShopConfigSchema.parse(bodyOf(result));
      expect(config).to.include({ shopId: 'cafe', version: 1, name: 'Corner Cafe' });
      // Defaults the admin left out are filled in.
      expect(config.limits.maxOrdersPerCustomerPerDay).to.equal(3);
    });

    it('answers 200 with the next version on replacing an existing shop', async () => {
      const { ports, bus } = fakePorts(storedShop('cafe', { version: 1 }));

      const result = await buildPutShopConfig(() => ports)(
        putConfig('admin', shopBody({ name: 'Corner Cafe & Bakery' })),
      );

      expect(result.statusCode).to.equal(200);
      expect(ShopConfigSchema.parse(bodyOf(result))).to.include({
        name: 'Corner Cafe & Bakery',
        version: 2,
      });
      expect(bus.parsedDetails().map((d) => d.change)).to.deep.equal(['UPDATED']);
    });

    it('reads the groups claim in its array form too', async () => {
      const { ports } = fakePorts();

      const result = await buildPutShopConfig(() => ports)(
        putConfig('admin', shopBody(), {
          claims: { sub: 'admin-1', 'cognito:groups': ['admin'], 'custom:shopId': 'cafe' },
        }),
      );

      expect(result.statusCode).to.equal(201);
    });

    it('reads a base64-encoded body', async () => {
      const { ports } = fakePorts();

      const result = await buildPutShopConfig(() => ports)(
        putConfig('admin', shopBody(), {
          body: Buffer.from(JSON.stringify(shopBody())).toString('base64'),
          isBase64Encoded: true,
        }),
      );

      expect(result.statusCode).to.equal(201);
    });

    [
      {
        name: 'a modifier group without options',
        input: withDrink({ ...latte, modifiers: [{ name: 'Milk', options: [] }] }),
        expected: 'menu.0.modifiers.0.options',
      },
      {
        name: 'a drink field the contract does not name',
        input: withDrink({ ...latte, price: 3.5 }),
        expected: 'menu.0.price',
      },
      {
        name: 'a drink id that is not a slug',
        input: withDrink({ ...latte, drinkId: 'Flat White' }),
        expected: 'menu.0.drinkId',
      },
      {
        name: 'an empty menu',
        input: shopBody({ menu: [] }),
        expected: 'menu',
      },
      {
        name: 'a blank name',
        input: shopBody({ name: '   ' }),
        expected: 'name',
      },
      {
        name: 'a missing open flag',
        input: { name: 'Corner Cafe', menu: [latte] },
        expected: 'open',
      },
      {
        name: 'a limit out of range',
        input: shopBody({ limits: { maxOpenOrders: 0 } }),
        expected: 'limits.maxOpenOrders',
      },
      {
        name: 'a shop id in the body (the path names the shop)',
        input: { ...shopBody(), shopId: 'other' },
        expected: 'shopId',
      },
      {
        name: 'a body that is a JSON array',
        input: [shopBody()],
        expected: '(body)',
      },
    ].forEach((c) => {
      it(`answers 400 naming ${c.expected} for ${c.name}, and saves nothing`, async () => {
        const { ports, table, bus } = fakePorts();

        const result = await buildPutShopConfig(() => ports)(putConfig('admin', c.input));

        expect(result.statusCode).to.equal(400);
        const error = errorOf(result);
        expect(error).to.include({ code: 'INVALID_REQUEST', field: c.expected });
        expect(error.message).to.match(new RegExp(`^${c.expected.replace(/[().]/g, '\\$&')}: `));
        expect(table.stored('cafe')).to.equal(undefined);
        expect(bus.details).to.deep.equal([]);
      });
    });

    [
      {
        name: 'malformed JSON',
        input: { body: '{"name": "Corner Cafe",' },
        expected: '(body)',
      },
      {
        name: 'a form content type',
        input: { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
        expected: 'content-type',
      },
      { name: 'no body', input: { body: undefined }, expected: '(body)' },
    ].forEach((c) => {
      it(`answers 400 naming ${c.expected} for ${c.name}`, async () => {
        const { ports } = fakePorts();
        const event = putConfig('admin');

        const result = await buildPutShopConfig(() => ports)({ ...event, ...c.input });

        expect(result.statusCode).to.equal(400);
        expect(errorOf(result)).to.include({ code: 'INVALID_REQUEST', field: c.expected });
      });
    });

    it('accepts a JSON content type with a charset', async () => {
      const { ports } = fakePorts();

      const result = await buildPutShopConfig(() => ports)(
        putConfig('admin', shopBody(), {
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
        }),
      );

      expect(result.statusCode).to.equal(201);
    });

    it('answers 409 when other writers keep winning', async () => {
      const { ports, table } = fakePorts(storedShop('cafe'));
      sandbox.stub(table, 'put').rejects(new VersionConflict('cafe'));

      const result = await buildPutShopConfig(() => ports)(putConfig('admin'));

      expect(result.statusCode).to.equal(409);
      expect(errorOf(result).code).to.equal('CONFLICT');
    });

    it('answers 500 saying nothing internal when the bus fails', async () => {
      const { ports, bus } = fakePorts();
      sandbox
        .stub(bus, 'configChanged')
        .rejects(new Error('PutEvents rejected ConfigChanged: AccessDenied arn:aws:events:…'));

      const result = await buildPutShopConfig(() => ports)(putConfig('admin'));

      expect(result.statusCode).to.equal(500);
      expect(errorOf(result)).to.deep.equal({ code: 'INTERNAL_ERROR', message: 'internal error' });
    });
  });

  describe('PUT /shops/{shopId}/open', () => {
    it('answers 401 to a caller without verified claims', async () => {
      const { ports } = fakePorts(storedShop('cafe'));

      const result = await buildPutShopOpen(() => ports)(
        makeEvent({ routeKey: PUT_OPEN, shopId: 'cafe', body: '{"open":true}' }),
      );

      expect(result.statusCode).to.equal(401);
      expect(errorOf(result).code).to.equal('UNAUTHORIZED');
    });

    (
      [
        { name: 'refuses a customer with 403', input: 'customer', expected: 403 },
        { name: 'refuses the shop display with 403', input: 'display', expected: 403 },
        {
          name: 'refuses a barista of another shop with 403',
          input: 'baristaOfOtherShop',
          expected: 403,
        },
        {
          name: 'refuses an admin of another shop with 403',
          input: 'adminOfOtherShop',
          expected: 403,
        },
        { name: 'lets a barista of the shop open it (200)', input: 'barista', expected: 200 },
        { name: 'lets an admin of the shop open it (200)', input: 'admin', expected: 200 },
        {
          name: 'lets an admin of every shop open it (200)',
          input: 'adminOfEveryShop',
          expected: 200,
        },
      ] satisfies { name: string; input: Caller; expected: number }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, table, bus } = fakePorts(storedShop('cafe', { open: false }));

        const result = await buildPutShopOpen(() => ports)(putOpen(c.input));

        expect(result.statusCode).to.equal(c.expected);
        if (c.expected === 403) {
          expect(errorOf(result).code).to.equal('FORBIDDEN');
          expect(table.stored('cafe')?.open).to.equal(false);
          expect(bus.details).to.deep.equal([]);
        } else {
          expect(PublicShopConfigSchema.parse(bodyOf(result)).open).to.equal(true);
          expect(table.stored('cafe')?.open).to.equal(true);
          expect(bus.parsedDetails().map((d) => d.change)).to.deep.equal(['OPENED']);
        }
      });
    });

    [
      { name: 'malformed JSON', input: { body: '{"open":' } },
      { name: 'a non-JSON content type', input: { headers: { 'content-type': 'text/plain' } } },
      { name: 'an open flag that is not a boolean', input: { body: '{"open":"yes"}' } },
    ].forEach((c) => {
      it(`answers 403, not 400, to a display that sends ${c.name}`, async () => {
        const { ports } = fakePorts(storedShop('cafe'));
        const event = putOpen('display');

        const result = await buildPutShopOpen(() => ports)({ ...event, ...c.input });

        expect(result.statusCode).to.equal(403);
      });
    });

    it('answers 200 with the public config of a shop it closed', async () => {
      const { ports } = fakePorts(storedShop('cafe', { open: true }));

      const result = await buildPutShopOpen(() => ports)(putOpen('barista', { open: false }));

      expect(result.statusCode).to.equal(200);
      expect(PublicShopConfigSchema.parse(bodyOf(result))).to.include({
        shopId: 'cafe',
        open: false,
      });
    });

    it('answers 404 for a shop that does not exist, and emits nothing', async () => {
      const { ports, bus } = fakePorts();

      const result = await buildPutShopOpen(() => ports)(putOpen('adminOfEveryShop'));

      expect(result.statusCode).to.equal(404);
      expect(errorOf(result).code).to.equal('NOT_FOUND');
      expect(bus.details).to.deep.equal([]);
    });

    [
      { name: 'an open flag that is not a boolean', input: { open: 'yes' }, expected: 'open' },
      { name: 'a missing open flag', input: {}, expected: 'open' },
      { name: 'an unknown field', input: { open: true, reason: 'lunch' }, expected: 'reason' },
      { name: 'a body that is not an object', input: true, expected: '(body)' },
    ].forEach((c) => {
      it(`answers 400 naming ${c.expected} for ${c.name}`, async () => {
        const { ports, table } = fakePorts(storedShop('cafe', { open: false }));

        const result = await buildPutShopOpen(() => ports)(putOpen('barista', c.input));

        expect(result.statusCode).to.equal(400);
        expect(errorOf(result)).to.include({ code: 'INVALID_REQUEST', field: c.expected });
        expect(table.stored('cafe')?.version).to.equal(1);
      });
    });

    it('answers 400 naming content-type for a non-JSON content type', async () => {
      const { ports } = fakePorts(storedShop('cafe'));

      const result = await buildPutShopOpen(() => ports)(
        putOpen('barista', { open: true }, { headers: { 'content-type': 'text/plain' } }),
      );

      expect(result.statusCode).to.equal(400);
      expect(errorOf(result)).to.include({ code: 'INVALID_REQUEST', field: 'content-type' });
    });
  });

  describe('GET /shops', () => {
    const listShops = (claims: Record<string, unknown> | undefined) => {
      const { ports } = fakePorts(storedShop('zeta'), storedShop('cafe'), storedShop('other'));
      return buildListShops(() => ports)(makeEvent({ routeKey: 'GET /shops', claims }));
    };

    it('answers 401 to a caller without verified claims', async () => {
      const result = await listShops(undefined);

      expect(result.statusCode).to.equal(401);
      expect(errorOf(result).code).to.equal('UNAUTHORIZED');
    });

    (
      [
        { name: 'refuses a customer with 403', input: 'customer', expected: 403 },
        { name: 'refuses the shop display with 403', input: 'display', expected: 403 },
        { name: 'refuses a barista with 403', input: 'barista', expected: 403 },
        { name: 'lists only their shop to a shop admin', input: 'admin', expected: ['cafe'] },
        {
          name: 'lists every shop to an admin of every shop',
          input: 'adminOfEveryShop',
          expected: ['cafe', 'other', 'zeta'],
        },
      ] satisfies { name: string; input: Caller; expected: 403 | string[] }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const result = await listShops(claimsOf(callers[c.input]));

        if (c.expected === 403) {
          expect(result.statusCode).to.equal(403);
          expect(errorOf(result).code).to.equal('FORBIDDEN');
        } else {
          expect(result.statusCode).to.equal(200);
          const { shops } = ShopListSchema.parse(bodyOf(result));
          expect(shops.map((s) => s.shopId)).to.deep.equal(c.expected);
        }
      });
    });
  });
});
