import { expect } from 'chai';
import { fakePorts, tokenOf } from '../testing/fakes';
import { buildHandler as buildConnect } from './connect/handler';
import { buildHandler as buildDisconnect } from './disconnect/handler';
import { buildHandler as buildFanOut } from './fanOut/handler';
import { buildHandler as buildSubscribe } from './subscribe/handler';

const wsEvent = (connectionId: string, extra: Record<string, unknown> = {}) => ({
  requestContext: { connectionId, routeKey: '$connect' },
  ...extra,
});

describe('handlers', () => {
  it('$connect answers 200 for a valid token, 401 without, 400 for an unknown view or a bad shop id', async () => {
    const ports = fakePorts();
    const handler = buildConnect(() => ports);
    const token = tokenOf({ sub: 'c1', groups: [], shopId: undefined });
    expect(
      (await handler(wsEvent('c1', { queryStringParameters: { token } }))).statusCode,
    ).to.equal(200);
    expect((await handler(wsEvent('c2'))).statusCode).to.equal(401);
    expect(
      (await handler(wsEvent('c3', { queryStringParameters: { token, view: 'boss' } }))).statusCode,
    ).to.equal(400);
    expect(
      (await handler(wsEvent('c4', { queryStringParameters: { token, shopId: 'a b/c' } })))
        .statusCode,
    ).to.equal(400);
    expect([...ports.connections.items.keys()]).to.deep.equal(['c1']);
  });

  it('$disconnect forgets the connection', async () => {
    const ports = fakePorts();
    await buildConnect(() => ports)(
      wsEvent('c1', {
        queryStringParameters: { token: tokenOf({ sub: 'c1', groups: [], shopId: undefined }) },
      }),
    );
    expect((await buildDisconnect(() => ports)(wsEvent('c1'))).statusCode).to.equal(200);
    expect(ports.connections.items.size).to.equal(0);
  });

  it('subscribe answers on the socket, and names a bad message', async () => {
    const ports = fakePorts();
    await buildConnect(() => ports)(
      wsEvent('c1', {
        queryStringParameters: {
          token: tokenOf({ sub: 'a', groups: ['admin'], shopId: '*' }),
        },
      }),
    );
    const handler = buildSubscribe(() => ports);
    const ok = await handler(wsEvent('c1', { body: '{"action":"subscribe","shopId":"q"}' }));
    expect(JSON.parse(ok.body ?? '')).to.deep.equal({
      type: 'subscribed',
      detail: { shopId: 'q', view: 'staff' },
    });
    const bad = await handler(wsEvent('c1', { body: '{"action":"subscribe"}' }));
    expect(bad.statusCode).to.equal(400);
    expect(JSON.parse(bad.body ?? '').error.code).to.equal('INVALID_REQUEST');
    expect((await handler(wsEvent('c1', { body: 'not json' }))).statusCode).to.equal(400);
  });

  it('fan-out sends an event that fails its schema to the dead-letter queue and pushes nothing', async () => {
    const ports = fakePorts();
    const bad = {
      id: 'e1',
      source: 'espresso.orders',
      'detail-type': 'OrderManager.OrderPlaced',
      time: '2026-11-24T10:00:00Z',
      detail: { shopId: 'a', taskToken: 'secret' },
    };
    expect(await buildFanOut(() => ports)(bad)).to.deep.equal({ refused: true });
    expect(ports.deadLetters.sent).to.have.length(1);
    expect(ports.deadLetters.sent[0]?.event).to.deep.equal(bad);
    expect(ports.screens.calls).to.equal(0);
  });

  it('fan-out refuses an event from the wrong source or of an unknown type', async () => {
    const ports = fakePorts();
    const handler = buildFanOut(() => ports);
    const base = { id: 'e', time: 't', detail: {} };
    await handler({ ...base, source: 'evil', 'detail-type': 'OrderManager.OrderPlaced' });
    await handler({ ...base, source: 'espresso.orders', 'detail-type': 'Nope.Nothing' });
    expect(ports.deadLetters.sent).to.have.length(2);
  });
});
