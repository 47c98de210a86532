import { expect } from 'chai';
import { describe, it } from 'mocha';
import { customerOrderUrl, href, parseRoute, type Route } from './route';

describe('routes', () => {
  (
    [
      { hash: '', route: { view: 'home' } },
      { hash: '#/', route: { view: 'home' } },
      {
        hash: '#/sign-in?next=%23%2Fshop%2Fdemo%2Fbarista',
        route: { view: 'sign-in', next: '#/shop/demo/barista' },
      },
      { hash: '#/shop/demo/order', route: { view: 'order-start', shopId: 'demo' } },
      {
        hash: '#/shop/demo/order?code=Ab_3-x',
        route: { view: 'order-start', shopId: 'demo', code: 'Ab_3-x' },
      },
      {
        hash: '#/shop/demo/orders/o-123',
        route: { view: 'order', shopId: 'demo', orderId: 'o-123' },
      },
      { hash: '#/history', route: { view: 'history' } },
      { hash: '#/shop/demo/barista', route: { view: 'barista', shopId: 'demo' } },
      { hash: '#/shop/demo/display', route: { view: 'display', shopId: 'demo' } },
      { hash: '#/shop/demo/dashboard', route: { view: 'dashboard', shopId: 'demo' } },
      { hash: '#/shop/demo', route: { view: 'not-found', path: '/shop/demo' } },
      { hash: '#/shop/de mo/barista', route: { view: 'not-found', path: '/shop/de mo/barista' } },
      {
        hash: '#/orders/legacy/claim/1',
        route: { view: 'not-found', path: '/orders/legacy/claim/1' },
      },
    ] as { hash: string; route: Route }[]
  ).forEach((c) => {
    it(`reads ${c.hash || '(no hash)'}`, () => {
      expect(parseRoute(c.hash)).to.deep.equal(c.route);
    });
  });

  it('writes every route back to the hash it was read from', () => {
    for (const hash of [
      '#/',
      '#/shop/demo/order',
      '#/shop/demo/order?code=abc',
      '#/shop/demo/orders/o1',
      '#/history',
      '#/shop/demo/barista',
      '#/shop/demo/display',
      '#/shop/demo/dashboard',
    ]) {
      expect(href(parseRoute(hash))).to.equal(hash);
    }
  });

  it('builds the customer link a display encodes in its QR code from its own address', () => {
    expect(
      customerOrderUrl('https://espresso.example/app/#/shop/demo/display', 'demo', 'XyZ'),
    ).to.equal('https://espresso.example/app/#/shop/demo/order?code=XyZ');
  });
});
