import type { Identity } from '@espresso/schemas';
import { expect } from 'chai';
import {
  defaultView,
  MAX_CONNECTION_SECONDS,
  mayWatch,
  newConnection,
  Refused,
  resolveWatch,
  type View,
} from './connection';

const customer: Identity = { sub: 'c', groups: [], shopId: undefined };
const barista: Identity = { sub: 'b', groups: ['barista'], shopId: 'a' };
const display: Identity = { sub: 'd', groups: ['display'], shopId: 'a' };
const admin: Identity = { sub: 'x', groups: ['admin'], shopId: 'a' };
const superAdmin: Identity = { sub: 's', groups: ['admin'], shopId: '*' };

describe('connections: who watches what', () => {
  [
    { name: 'a customer', identity: customer, view: 'customer' },
    { name: 'a barista', identity: barista, view: 'staff' },
    { name: 'an admin', identity: admin, view: 'staff' },
    { name: 'a display', identity: display, view: 'display' },
  ].forEach((c) => {
    it(`gives ${c.name} the ${c.view} view by default`, () => {
      expect(defaultView(c.identity)).to.equal(c.view);
    });
  });

  [
    {
      name: 'barista, own shop',
      identity: barista,
      req: {},
      expected: { view: 'staff', shopId: 'a' },
    },
    {
      name: 'display, own shop',
      identity: display,
      req: {},
      expected: { view: 'display', shopId: 'a' },
    },
    { name: 'customer, no shop', identity: customer, req: {}, expected: { view: 'customer' } },
    {
      name: 'customer watching a shop',
      identity: customer,
      req: { shopId: 'z' },
      expected: { view: 'customer', shopId: 'z' },
    },
    {
      name: 'barista as display',
      identity: barista,
      req: { view: 'display' as View },
      expected: { view: 'display', shopId: 'a' },
    },
    {
      name: 'barista as customer',
      identity: barista,
      req: { view: 'customer' as View },
      expected: { view: 'customer' },
    },
    {
      name: 'admin of every shop, no pick',
      identity: superAdmin,
      req: {},
      expected: { view: 'staff' },
    },
    {
      name: 'admin of every shop, picks',
      identity: superAdmin,
      req: { shopId: 'q' },
      expected: { view: 'staff', shopId: 'q' },
    },
  ].forEach((c) => {
    it(`resolves ${c.name}`, () => {
      expect(resolveWatch(c.identity, c.req)).to.deep.equal(c.expected);
    });
  });

  [
    { name: 'a customer asking for staff', identity: customer, req: { view: 'staff' as View } },
    { name: 'a customer asking for display', identity: customer, req: { view: 'display' as View } },
    { name: 'a display asking for staff', identity: display, req: { view: 'staff' as View } },
    { name: 'a barista of a asking for shop b', identity: barista, req: { shopId: 'b' } },
    { name: 'a display of a asking for shop b', identity: display, req: { shopId: 'b' } },
  ].forEach((c) => {
    it(`refuses ${c.name} (403)`, () => {
      expect(() => resolveWatch(c.identity, c.req))
        .to.throw(Refused)
        .with.property('status', 403);
    });
  });

  it('lets staff of every shop watch any shop, staff of one shop only theirs', () => {
    expect(mayWatch(superAdmin, 'staff', 'any')).to.equal(true);
    expect(mayWatch(barista, 'staff', 'a')).to.equal(true);
    expect(mayWatch(barista, 'staff', 'b')).to.equal(false);
    expect(mayWatch(customer, 'customer', 'b')).to.equal(true);
  });

  it('records who connected and expires with API Gateway’s two-hour limit', () => {
    const now = new Date('2026-11-24T10:00:00.000Z');
    expect(newConnection('id1', barista, { view: 'staff', shopId: 'a' }, now)).to.deep.equal({
      connectionId: 'id1',
      sub: 'b',
      groups: ['barista'],
      shopClaim: 'a',
      view: 'staff',
      shopId: 'a',
      expiresAt: now.getTime() / 1000 + MAX_CONNECTION_SECONDS,
      connectedAt: now.toISOString(),
    });
  });
});
