import { ErrorBodySchema, MetricsResponseSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { type MetricsStack, metricsStack, newShopId } from './helpers';

/** Who may read a shop's metrics, and the 400s of a bad range, on the local stack. */
describe('who may read the metrics API (local stack)', function () {
  this.timeout(30_000);
  let m: MetricsStack;
  const shopId = newShopId();
  const otherShop = newShopId();
  const route = (query = 'from=2026-11-01&to=2026-11-30') => `/shops/${shopId}/metrics?${query}`;

  before(async function () {
    this.timeout(240_000);
    m = await metricsStack();
  });

  const CALLERS: { name: string; token: () => Promise<string | undefined>; status: number }[] = [
    { name: 'anonymous', token: async () => undefined, status: 401 },
    { name: 'a customer', token: () => m.stack.token({ role: 'customer' }), status: 403 },
    {
      name: 'the display of the shop',
      token: () => m.stack.token({ role: 'display', shopId }),
      status: 403,
    },
    {
      name: 'a barista of another shop',
      token: () => m.stack.token({ role: 'barista', shopId: otherShop }),
      status: 403,
    },
    {
      name: 'an admin of another shop',
      token: () => m.stack.token({ role: 'admin', shopId: otherShop }),
      status: 403,
    },
    {
      name: 'a barista of the shop',
      token: () => m.stack.token({ role: 'barista', shopId }),
      status: 200,
    },
    {
      name: 'the admin of the shop',
      token: () => m.stack.token({ role: 'admin', shopId }),
      status: 200,
    },
    {
      name: 'an admin of every shop',
      token: () => m.stack.token({ role: 'admin', shopId: '*' }),
      status: 200,
    },
  ];

  CALLERS.forEach((c) => {
    it(`answers ${c.status} to ${c.name}`, async () => {
      const token = await c.token();
      const res = await m.stack.call('metrics', 'GET', route(), token ? { token } : {});
      expect(res.status, JSON.stringify(res.body)).to.equal(c.status);
      if (c.status === 200) {
        const body = MetricsResponseSchema.parse(res.body);
        expect(body.days).to.have.length(30);
        expect(body.totals.orders).to.equal(0);
      } else if (c.status === 403) {
        // (A 401 comes from the JWT authorizer, before the function, in API Gateway's shape.)
        expect(ErrorBodySchema.safeParse(res.body).success, JSON.stringify(res.body)).to.equal(
          true,
        );
      }
    });
  });

  [
    { name: 'no range', query: '', field: 'from' },
    { name: 'a missing to', query: 'from=2026-11-01', field: 'to' },
    { name: 'a from that is not a date', query: 'from=yesterday&to=2026-11-30', field: 'from' },
    { name: 'a day that does not exist', query: 'from=2026-11-01&to=2026-11-31', field: 'to' },
    { name: 'to before from', query: 'from=2026-11-30&to=2026-11-01', field: 'to' },
    { name: 'more than 31 days', query: 'from=2026-11-01&to=2026-12-02', field: 'to' },
  ].forEach((c) => {
    it(`answers 400 naming ${c.field} for ${c.name}`, async () => {
      const token = await m.stack.token({ role: 'barista', shopId });
      const res = await m.stack.call('metrics', 'GET', route(c.query), { token });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(ErrorBodySchema.parse(res.body).error.field).to.equal(c.field);
    });
  });

  it('answers 403, not 400, to a stranger with a bad range', async () => {
    const token = await m.stack.token({ role: 'customer' });
    const res = await m.stack.call('metrics', 'GET', route('from=nope'), { token });
    expect(res.status).to.equal(403);
  });
});
