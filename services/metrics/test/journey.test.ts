import { expect } from 'chai';
import { getMetrics, type MetricsStack, metricsStack, newShopId, until } from './helpers';

/**
 * The whole way, as after `pnpm start`: orders placed and finished through the orders API, their
 * endings on the bus, the rule, the queue and the consumer, then the metrics API.
 */
describe('orders through the orders API show in the metrics API (local stack)', function () {
  this.timeout(60_000);
  let m: MetricsStack;

  before(async function () {
    this.timeout(240_000);
    m = await metricsStack();
  });

  it('counts a completed and a cancelled order of a new shop', async () => {
    const { stack } = m;
    const shopId = newShopId();
    const admin = await stack.token({ role: 'admin', shopId });
    const created = await stack.call('config', 'PUT', `/shops/${shopId}/config`, {
      token: admin,
      body: {
        name: 'Metrics bar',
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
      },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const display = await stack.token({ role: 'display', shopId });
    const baristaId = `barista-${shopId}`;
    const barista = await stack.token({ role: 'barista', shopId, sub: baristaId });

    /** A new order waiting for its drink; returns its id and customer. */
    const place = async () => {
      const qr = await stack.call('orders', 'GET', `/shops/${shopId}/qr-code`, { token: display });
      expect(qr.status, JSON.stringify(qr.body)).to.equal(200);
      const customer = await stack.token({ role: 'customer' });
      const res = await stack.call('orders', 'POST', `/shops/${shopId}/orders`, {
        token: customer,
        body: { qrCode: (qr.body as { code: string }).code },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      const { orderId } = res.body as { orderId: string };
      await until('the workflow waits for the drink', () =>
        stack.eventBridge
          .events()
          .find(
            (e) =>
              e.detail.orderId === orderId && e['detail-type'] === 'OrderProcessor.WorkflowStarted',
          ),
      );
      const chosen = await stack.call('orders', 'PUT', `/shops/${shopId}/orders/${orderId}`, {
        token: customer,
        body: { drinkId: 'latte', modifiers: { Milk: 'Oat' } },
      });
      expect(chosen.status, JSON.stringify(chosen.body)).to.equal(200);
      return orderId;
    };
    const act = async (orderId: string, action: string) => {
      const res = await stack.call(
        'orders',
        'POST',
        `/shops/${shopId}/orders/${orderId}/${action}`,
        {
          token: barista,
        },
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    };

    const first = await place();
    await act(first, 'claim');
    await act(first, 'complete');
    const second = await place();
    await act(second, 'cancel');

    // Around the order's day, in case the test runs across midnight (UTC).
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const report = await until(
      'both orders counted',
      async () => {
        const r = await getMetrics(m, shopId, day(-1), day(1));
        return r.totals.orders === 2 ? r : undefined;
      },
      30_000,
    );
    expect(report.totals.byOutcome).to.include({ COMPLETED: 1, CANCELLED: 1 });
    expect(report.drinks).to.deep.equal([{ drinkId: 'latte', count: 1 }]);
    expect(report.modifiers).to.deep.equal([{ group: 'Milk', option: 'Oat', count: 1 }]);
    expect(report.baristas.map((b) => [b.baristaId, b.completed])).to.deep.equal([[baristaId, 1]]);
    expect(report.averages.waitSeconds).to.be.a('number');
    expect(report.averages.makeSeconds).to.be.a('number');
  });
});
