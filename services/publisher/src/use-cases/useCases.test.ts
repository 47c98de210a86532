import { type BusEvent, type Identity, parseBusEvent } from '@espresso/schemas';
import { expect } from 'chai';
import { type Connection, MAX_CONNECTION_SECONDS, Refused } from '../domain/connection';
import { fakePorts, NOW_SECONDS, tokenOf } from '../testing/fakes';
import { connect } from './connect';
import { disconnect } from './disconnect';
import { fanOut, RETRY_DELAYS_MS } from './fanOut';
import { subscribe } from './subscribe';

const AT = '2026-11-24T10:00:00.000Z';
/** A minute before the fakes' now. */
const EARLIER = '2026-11-24T09:59:00.000Z';
const placed = (shopId: string, customerId: string, orderId = 'o-1'): BusEvent =>
  parseBusEvent({
    id: 'e1',
    source: 'espresso.orders',
    'detail-type': 'OrderManager.OrderPlaced',
    time: AT,
    detail: {
      version: 1,
      shopId,
      orderId,
      customerId,
      at: AT,
      drinkId: 'latte',
      modifiers: {},
      orderNumber: 3,
      createdAt: AT,
    },
  });

const conn = (
  connectionId: string,
  sub: string,
  view: Connection['view'],
  shopId?: string,
  expiresAt = NOW_SECONDS + 60,
  connectedAt = EARLIER,
): Connection => ({
  connectionId,
  sub,
  groups: view === 'customer' ? [] : view === 'display' ? ['display'] : ['barista'],
  view,
  ...(shopId ? { shopId, shopClaim: shopId } : {}),
  expiresAt,
  connectedAt,
});

const quiet = { warn: () => undefined };

describe('connect', () => {
  it('records a verified barista watching their shop', async () => {
    const ports = fakePorts();
    const barista: Identity = { sub: 'b1', groups: ['barista'], shopId: 'a' };
    await connect(ports, { connectionId: 'c1', token: tokenOf(barista) });
    expect(ports.connections.items.get('c1')).to.include({ sub: 'b1', view: 'staff', shopId: 'a' });
    expect(ports.connections.items.get('c1')?.expiresAt).to.equal(
      NOW_SECONDS + MAX_CONNECTION_SECONDS,
    );
  });

  [
    { name: 'no token', token: undefined, status: 401 },
    { name: 'an invalid token', token: 'forged', status: 401 },
  ].forEach((c) => {
    it(`refuses ${c.name} (${c.status}) and records nothing`, async () => {
      const ports = fakePorts();
      const refused = await connect(ports, { connectionId: 'c1', token: c.token }).catch((e) => e);
      expect(refused).to.be.instanceOf(Refused).with.property('status', c.status);
      expect(ports.connections.items.size).to.equal(0);
    });
  });
});

describe('disconnect', () => {
  it('forgets the connection and leaves the others', async () => {
    const ports = fakePorts();
    await ports.connections.put(conn('c1', 'u1', 'customer'));
    await ports.connections.put(conn('c2', 'u2', 'customer'));

    await disconnect(ports, 'c1');

    expect([...ports.connections.items.keys()]).to.deep.equal(['c2']);
  });
});

describe('subscribe', () => {
  it('points an admin of every shop at the shop they pick', async () => {
    const ports = fakePorts();
    await ports.connections.put({ ...conn('c1', 's', 'staff'), groups: ['admin'], shopClaim: '*' });
    expect(await subscribe(ports, { connectionId: 'c1', shopId: 'q' })).to.deep.equal({
      shopId: 'q',
      view: 'staff',
    });
    expect(ports.connections.items.get('c1')?.shopId).to.equal('q');
  });

  it('refuses a barista another shop and leaves the connection as it was', async () => {
    const ports = fakePorts();
    await ports.connections.put(conn('c1', 'b', 'staff', 'a'));
    const refused = await subscribe(ports, { connectionId: 'c1', shopId: 'b' }).catch((e) => e);
    expect(refused).to.be.instanceOf(Refused).with.property('status', 403);
    expect(ports.connections.items.get('c1')?.shopId).to.equal('a');
  });

  it('refuses an unknown connection (400)', async () => {
    const refused = await subscribe(fakePorts(), { connectionId: 'x', shopId: 'a' }).catch(
      (e) => e,
    );
    expect(refused).to.be.instanceOf(Refused).with.property('status', 400);
  });
});

describe('fan-out', () => {
  const setup = async () => {
    const ports = fakePorts();
    const all = [
      conn('staff-a', 'b1', 'staff', 'a'),
      conn('display-a', 'd1', 'display', 'a'),
      conn('public-a', 'c9', 'customer', 'a'),
      conn('staff-b', 'b2', 'staff', 'b'),
      conn('owner-phone', 'c1', 'customer'),
      conn('owner-tablet', 'c1', 'customer', 'b'),
      conn('other-customer', 'c2', 'customer'),
      conn('expired-staff-a', 'b3', 'staff', 'a', NOW_SECONDS - 1),
      conn('barista-who-ordered', 'c1', 'staff', 'b'),
    ];
    for (const c of all) {
      await ports.connections.put(c);
      ports.screens.open.add(c.connectionId);
    }
    return ports;
  };

  it('gives each screen its audience’s message, and nothing to anyone else', async () => {
    const ports = await setup();
    const result = await fanOut(ports, placed('a', 'c1'), quiet);
    expect(result).to.deep.equal({ sent: 4, gone: 0, failed: 0 });
    const types = (id: string) => ports.screens.of(id).map((m) => m.type);
    expect(types('staff-a')).to.deep.equal(['OrderManager.OrderPlaced']);
    expect(ports.screens.of('staff-a')[0]?.detail).to.include({ customerId: 'c1' });
    expect(ports.screens.of('display-a')[0]?.detail).not.to.have.property('customerId');
    expect(ports.screens.of('owner-phone')[0]?.detail).not.to.have.property('customerId');
    expect(types('owner-tablet')).to.deep.equal(['OrderManager.OrderPlaced']);
    for (const id of [
      'public-a',
      'staff-b',
      'other-customer',
      'expired-staff-a',
      'barista-who-ordered',
    ]) {
      expect(types(id), id).to.deep.equal([]);
    }
  });

  it('deletes a connection API Gateway no longer knows, and keeps the others', async () => {
    const ports = await setup();
    ports.screens.open.delete('display-a');
    const result = await fanOut(ports, placed('a', 'c1'), quiet);
    expect(result).to.deep.equal({ sent: 3, gone: 1, failed: 0 });
    expect(ports.connections.items.has('display-a')).to.equal(false);
    expect(ports.connections.items.has('staff-a')).to.equal(true);
  });

  it('keeps a connection that answers 410 while its $connect is still running', async () => {
    const ports = await setup();
    await ports.connections.put(conn('connecting', 'b9', 'staff', 'a', NOW_SECONDS + 60, AT));
    const result = await fanOut(ports, placed('a', 'c1'), quiet);
    expect(result.gone).to.equal(1);
    expect(ports.connections.items.has('connecting')).to.equal(true);
  });

  it('retries a failed post with backoff and delivers it', async () => {
    const ports = await setup();
    ports.screens.failing.set('staff-a', 2);
    const result = await fanOut(ports, placed('a', 'c1'), quiet);
    expect(result).to.deep.equal({ sent: 4, gone: 0, failed: 0 });
    expect(ports.sleeps).to.deep.equal(RETRY_DELAYS_MS.slice(0, 2));
    expect(ports.screens.of('staff-a')).to.have.length(1);
  });

  it('gives up on a post that keeps failing, logs it, keeps the connection and does not throw', async () => {
    const ports = await setup();
    ports.screens.failing.set('staff-a', 99);
    const warnings: unknown[] = [];
    const result = await fanOut(ports, placed('a', 'c1'), {
      warn: (message, extra) => warnings.push({ message, ...extra }),
    });
    expect(result).to.deep.equal({ sent: 3, gone: 0, failed: 1 });
    expect(ports.sleeps).to.deep.equal([...RETRY_DELAYS_MS]);
    expect(warnings).to.have.length(1);
    expect(ports.connections.items.has('staff-a')).to.equal(true);
  });

  it('posts to nobody when nobody watches', async () => {
    const ports = fakePorts();
    expect(await fanOut(ports, placed('z', 'nobody'), quiet)).to.deep.equal({
      sent: 0,
      gone: 0,
      failed: 0,
    });
    expect(ports.screens.calls).to.equal(0);
  });
});
