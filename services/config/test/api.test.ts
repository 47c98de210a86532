import {
  ErrorBodySchema,
  EVENT_DETAIL_SCHEMAS,
  PublicShopConfigSchema,
  type PutShopConfigBody,
  ShopConfigSchema,
  ShopListSchema,
} from '@espresso/schemas';
import { startTestStack, type TestStack } from '@espresso/test-support';
import { expect } from 'chai';

/**
 * The config API over real HTTP through serverless offline, against DynamoDB Local and the
 * local EventBridge, with tokens from the local issuer.
 */
describe('config API (serverless offline + DynamoDB Local)', function () {
  this.timeout(30_000);
  let stack: TestStack;
  let run = 0;
  const uniqueShop = () => `t${Date.now().toString(36)}-${++run}`;

  const shopBody = (name = 'Test bar'): PutShopConfigBody => ({
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
      { drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: false, modifiers: [] },
    ],
    limits: {
      ordersPerCode: 5,
      codeTtlSeconds: 120,
      maxOpenOrders: 3,
      maxOrdersPerCustomerPerDay: 2,
    },
    timeouts: { customerSeconds: 30, baristaSeconds: 60 },
  });

  /** Creates a shop as a platform admin and returns its id. */
  const createShop = async () => {
    const shopId = uniqueShop();
    const token = await stack.token({ role: 'admin', shopId: '*' });
    const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
      token,
      body: shopBody(),
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return shopId;
  };

  const expectError = (res: { status: number; body: unknown }, status: number, field?: string) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
    const body = ErrorBodySchema.parse(res.body);
    if (field !== undefined) {
      expect(body.error.field).to.equal(field);
      if (field !== '(body)') expect(body.error.message).to.contain(field);
    }
    return body;
  };

  before(async function () {
    this.timeout(180_000);
    stack = await startTestStack(['config']);
  });
  after(async () => {
    await stack?.stop();
  });

  describe('GET /shops/{shopId}/config (public)', () => {
    it('serves the seeded demo shop: open, at least five drinks with modifiers, one unavailable', async () => {
      const res = await stack.call('config', 'GET', '/shops/demo/config');
      expect(res.status).to.equal(200);
      const config = PublicShopConfigSchema.parse(res.body);
      expect(config.open).to.equal(true);
      expect(config.menu.length).to.be.at.least(5);
      expect(config.menu.filter((d) => !d.available)).to.have.length(1);
      expect(config.menu.some((d) => d.modifiers.length > 0)).to.equal(true);
    });

    it('shows a customer only what a customer needs (no capacity or barista settings)', async () => {
      const res = await stack.call('config', 'GET', '/shops/demo/config');
      const body = res.body as Record<string, Record<string, unknown>>;
      expect(body.limits).to.have.keys(['maxOrdersPerCustomerPerDay']);
      expect(body.timeouts).to.have.keys(['customerSeconds']);
      expect(body).not.to.have.property('version');
    });

    it('answers 404 with the error body for an unknown shop', async () => {
      const res = await stack.call('config', 'GET', `/shops/${uniqueShop()}/config`);
      expect(expectError(res, 404).error.code).to.equal('NOT_FOUND');
    });

    it('answers 400 naming shopId for a malformed shop id', async () => {
      expectError(await stack.call('config', 'GET', '/shops/Not_A_Slug/config'), 400, 'shopId');
    });
  });

  describe('who may do what', () => {
    type Caller = {
      role: 'customer' | 'barista' | 'admin' | 'display';
      shop?: 'same' | 'other' | '*';
    };
    const token = (caller: Caller, shopId: string) =>
      stack.token({
        role: caller.role,
        ...(caller.shop === undefined
          ? {}
          : { shopId: caller.shop === 'same' ? shopId : caller.shop === '*' ? '*' : 'elsewhere' }),
      });

    const cases: { name: string; caller: Caller; route: 'config' | 'open'; expected: number }[] = [
      {
        name: 'an admin of the shop replaces its config',
        caller: { role: 'admin', shop: 'same' },
        route: 'config',
        expected: 200,
      },
      {
        name: 'a platform admin (*) replaces any config',
        caller: { role: 'admin', shop: '*' },
        route: 'config',
        expected: 200,
      },
      {
        name: 'an admin of another shop may not write this config',
        caller: { role: 'admin', shop: 'other' },
        route: 'config',
        expected: 403,
      },
      {
        name: 'a barista may not write the config',
        caller: { role: 'barista', shop: 'same' },
        route: 'config',
        expected: 403,
      },
      {
        name: 'a display may not write the config',
        caller: { role: 'display', shop: 'same' },
        route: 'config',
        expected: 403,
      },
      {
        name: 'a customer may not write the config',
        caller: { role: 'customer' },
        route: 'config',
        expected: 403,
      },
      {
        name: 'a barista of the shop opens or closes it',
        caller: { role: 'barista', shop: 'same' },
        route: 'open',
        expected: 200,
      },
      {
        name: 'an admin of the shop opens or closes it',
        caller: { role: 'admin', shop: 'same' },
        route: 'open',
        expected: 200,
      },
      {
        name: 'a barista of another shop may not open this one',
        caller: { role: 'barista', shop: 'other' },
        route: 'open',
        expected: 403,
      },
      {
        name: 'a display may not open the shop',
        caller: { role: 'display', shop: 'same' },
        route: 'open',
        expected: 403,
      },
      {
        name: 'a customer may not open the shop',
        caller: { role: 'customer' },
        route: 'open',
        expected: 403,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const shopId = await createShop();
        const body = c.route === 'config' ? shopBody('Renamed') : { open: false };
        const res = await stack.call('config', 'PUT', `/shops/${shopId}/${c.route}`, {
          token: await token(c.caller, shopId),
          body,
        });
        if (c.expected >= 400) {
          expect(expectError(res, c.expected).error.code).to.equal('FORBIDDEN');
          const after = await stack.call('config', 'GET', `/shops/${shopId}/config`);
          expect(PublicShopConfigSchema.parse(after.body)).to.include({
            name: 'Test bar',
            open: true,
          });
        } else {
          expect(res.status, JSON.stringify(res.body)).to.equal(c.expected);
        }
      });
    }

    it('a wrong role gets 403 even when its body is also invalid', async () => {
      const shopId = await createShop();
      const res = await stack.call('config', 'PUT', `/shops/${shopId}/open`, {
        token: await stack.token({ role: 'customer' }),
        body: { open: 'yes' },
      });
      expectError(res, 403);
    });

    const unauthenticated: { name: string; token: () => Promise<string | undefined> }[] = [
      { name: 'no token', token: async () => undefined },
      {
        name: 'an expired token',
        token: () => stack.token({ role: 'admin', shopId: '*', expiresIn: -60 }),
      },
      {
        name: 'a token of another issuer',
        token: () =>
          stack.token({
            role: 'admin',
            shopId: '*',
            issuer: 'https://cognito-idp.us-east-1.amazonaws.com/other',
          }),
      },
      {
        name: 'a token for another audience',
        token: () => stack.token({ role: 'admin', shopId: '*', audience: 'another-app' }),
      },
    ];
    for (const c of unauthenticated) {
      it(`refuses ${c.name} with 401 on every protected route`, async () => {
        const token = await c.token();
        const shopId = await createShop();
        for (const [method, route, body] of [
          ['PUT', `/shops/${shopId}/config`, shopBody()],
          ['PUT', `/shops/${shopId}/open`, { open: false }],
          ['GET', '/shops', undefined],
        ] as const) {
          const res = await stack.call('config', method, route, {
            ...(token ? { token } : {}),
            body,
          });
          expect(res.status, `${method} ${route}`).to.equal(401);
        }
      });
    }

    it('GET /shops lists every shop for a platform admin and only their shop for a shop admin', async () => {
      const shopId = await createShop();
      const all = await stack.call('config', 'GET', '/shops', {
        token: await stack.token({ role: 'admin', shopId: '*' }),
      });
      expect(all.status).to.equal(200);
      const ids = ShopListSchema.parse(all.body).shops.map((s) => s.shopId);
      expect(ids).to.include.members(['demo', shopId]);

      const mine = await stack.call('config', 'GET', '/shops', {
        token: await stack.token({ role: 'admin', shopId }),
      });
      expect(ShopListSchema.parse(mine.body).shops.map((s) => s.shopId)).to.deep.equal([shopId]);
    });

    for (const role of ['barista', 'display', 'customer'] as const) {
      it(`GET /shops refuses a ${role} with 403`, async () => {
        const token = await stack.token({
          role,
          ...(role === 'customer' ? {} : { shopId: 'demo' }),
        });
        expectError(await stack.call('config', 'GET', '/shops', { token }), 403);
      });
    }
  });

  describe('bad input gets a 400 naming the field and changes nothing', () => {
    const valid = shopBody();
    const cases: {
      name: string;
      body?: unknown;
      raw?: string;
      contentType?: string;
      field: string;
    }[] = [
      { name: 'a missing name', body: { ...valid, name: undefined }, field: 'name' },
      { name: 'an empty name', body: { ...valid, name: '   ' }, field: 'name' },
      { name: 'open as a string', body: { ...valid, open: 'yes' }, field: 'open' },
      { name: 'an empty menu', body: { ...valid, menu: [] }, field: 'menu' },
      {
        name: 'a drink id with spaces',
        body: { ...valid, menu: [{ ...valid.menu[0], drinkId: 'flat white' }] },
        field: 'menu.0.drinkId',
      },
      {
        name: 'a modifier group without options',
        body: {
          ...valid,
          menu: [{ ...valid.menu[0], modifiers: [{ name: 'Milk', options: [] }] }],
        },
        field: 'menu.0.modifiers.0.options',
      },
      {
        name: 'duplicate drink ids',
        body: { ...valid, menu: [valid.menu[0], valid.menu[0]] },
        field: 'menu',
      },
      {
        name: 'a negative limit',
        body: { ...valid, limits: { ...valid.limits, maxOpenOrders: -1 } },
        field: 'limits.maxOpenOrders',
      },
      {
        name: 'a fractional timeout',
        body: { ...valid, timeouts: { ...valid.timeouts, customerSeconds: 1.5 } },
        field: 'timeouts.customerSeconds',
      },
      { name: 'an unknown field', body: { ...valid, owner: 'me' }, field: 'owner' },
      { name: 'malformed JSON', raw: '{"name": ', field: '(body)' },
      { name: 'an empty body', raw: '', field: '(body)' },
      {
        name: 'a form-encoded body',
        raw: 'name=x',
        contentType: 'application/x-www-form-urlencoded',
        field: 'content-type',
      },
    ];
    for (const c of cases) {
      it(`rejects ${c.name}`, async () => {
        const shopId = await createShop();
        const token = await stack.token({ role: 'admin', shopId });
        const res = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
          token,
          ...(c.raw === undefined ? { body: c.body } : { rawBody: c.raw }),
          headers: { 'content-type': c.contentType ?? 'application/json' },
        });
        expectError(res, 400, c.field);
        const after = await stack.call('config', 'GET', `/shops/${shopId}/config`);
        expect(PublicShopConfigSchema.parse(after.body).name).to.equal('Test bar');
      });
    }

    it('rejects PUT /open without a boolean, naming open', async () => {
      const shopId = await createShop();
      const token = await stack.token({ role: 'barista', shopId });
      expectError(
        await stack.call('config', 'PUT', `/shops/${shopId}/open`, { token, body: { open: 1 } }),
        400,
        'open',
      );
    });

    it('answers 404 when opening a shop that does not exist, and creates nothing', async () => {
      const shopId = uniqueShop();
      const token = await stack.token({ role: 'admin', shopId });
      expectError(
        await stack.call('config', 'PUT', `/shops/${shopId}/open`, { token, body: { open: true } }),
        404,
      );
      expectError(await stack.call('config', 'GET', `/shops/${shopId}/config`), 404);
    });
  });

  describe('changes', () => {
    it('creates with 201 and version 1, replaces with 200 and the next version, keeping createdAt', async () => {
      const shopId = uniqueShop();
      const token = await stack.token({ role: 'admin', shopId });
      const created = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
        token,
        body: shopBody(),
      });
      expect(created.status).to.equal(201);
      const first = ShopConfigSchema.parse(created.body);
      expect(first.version).to.equal(1);

      const replaced = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
        token,
        body: shopBody('New name'),
      });
      expect(replaced.status).to.equal(200);
      const second = ShopConfigSchema.parse(replaced.body);
      expect(second).to.include({ version: 2, name: 'New name', createdAt: first.createdAt });
    });

    it('emits ConfigService.ConfigChanged for every change, with a detail its schema accepts', async () => {
      const shopId = await createShop();
      const barista = await stack.token({ role: 'barista', shopId });
      const closed = await stack.call('config', 'PUT', `/shops/${shopId}/open`, {
        token: barista,
        body: { open: false },
      });
      expect(closed.status).to.equal(200);
      expect(PublicShopConfigSchema.parse(closed.body).open).to.equal(false);
      // Announced from the shops table's stream (the outbox), a moment after the writes.
      await stack.idle();

      const events = stack.eventBridge
        .events()
        .filter(
          (e) => e['detail-type'] === 'ConfigService.ConfigChanged' && e.detail.shopId === shopId,
        );
      expect(events.map((e) => e.source)).to.deep.equal(['espresso.config', 'espresso.config']);
      const details = events.map((e) =>
        EVENT_DETAIL_SCHEMAS['ConfigService.ConfigChanged'].parse(e.detail),
      );
      expect(details.map((d) => [d.change, d.open, d.configVersion])).to.deep.equal([
        ['CREATED', true, 1],
        ['CLOSED', false, 2],
      ]);
      expect(details[1]?.config.open).to.equal(false);
    });

    it('never loses a write when admins replace the same config concurrently', async () => {
      const shopId = uniqueShop();
      const token = await stack.token({ role: 'admin', shopId });
      const writers = 4;
      const results = await Promise.all(
        Array.from({ length: writers }, (_, i) =>
          stack.call('config', 'PUT', `/shops/${shopId}/config`, {
            token,
            body: shopBody(`Writer ${i}`),
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 201),
        'exactly one creates the shop',
      ).to.have.length(1);
      expect(
        statuses.every((s) => [200, 201, 409].includes(s)),
        statuses.join(),
      ).to.equal(true);
      const succeeded = statuses.filter((s) => s < 300).length;
      const versions = results
        .filter((r) => r.status < 300)
        .map((r) => ShopConfigSchema.parse(r.body).version);
      expect([...versions].sort()).to.deep.equal(
        Array.from({ length: succeeded }, (_, i) => i + 1),
      );
    });
  });
});
