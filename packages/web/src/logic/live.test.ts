import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  backoffDelay,
  concerns,
  type LiveState,
  liveMode,
  parseLiveMessage,
  singleFlight,
  socketUrl,
  startLive,
} from './live';

/** A stand-in WebSocket the test opens, feeds and drops. */
class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }
  open() {
    this.onopen?.();
  }
  send(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
}

describe('live updates', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => clock.restore());

  it('parses publisher messages and ignores anything else', () => {
    expect(
      parseLiveMessage('{"type":"OrderManager.OrderClaimed","detail":{"orderId":"o1"},"at":"t"}'),
    ).to.deep.equal({ type: 'OrderManager.OrderClaimed', detail: { orderId: 'o1' }, at: 't' });
    for (const data of ['nope', '{"type":1,"detail":{}}', '{"type":"x"}', '[]', 42]) {
      expect(parseLiveMessage(data), String(data)).to.equal(undefined);
    }
  });

  [
    {
      name: 'an event of the order',
      message: { type: 'OrderManager.OrderClaimed', detail: { shopId: 'demo', orderId: 'o1' } },
      expected: true,
    },
    {
      name: 'an event of another order',
      message: { type: 'OrderManager.OrderClaimed', detail: { shopId: 'demo', orderId: 'o2' } },
      expected: false,
    },
    {
      name: 'a config change of the shop',
      message: { type: 'ConfigService.ConfigChanged', detail: { shopId: 'demo' } },
      expected: true,
    },
    {
      name: 'an event of another shop',
      message: { type: 'ConfigService.ConfigChanged', detail: { shopId: 'other' } },
      expected: false,
    },
  ].forEach((c) => {
    it(`an order screen ${c.expected ? 're-reads on' : 'ignores'} ${c.name}`, () => {
      expect(concerns(c.message, { shopId: 'demo', orderId: 'o1' })).to.equal(c.expected);
    });
  });

  it('backs off from half a second to at most 15 s', () => {
    expect(backoffDelay(0, () => 0.5)).to.equal(500);
    expect(backoffDelay(3, () => 0.5)).to.equal(4000);
    expect(backoffDelay(20, () => 0.5)).to.equal(15_000);
    expect(backoffDelay(0, () => 0)).to.equal(375);
    expect(backoffDelay(0, () => 1)).to.equal(625);
  });

  it('polls the APIs when no WebSocket is configured', () => {
    const refresh = sinon.spy();
    const states: LiveState[] = [];
    const stop = startLive({ refresh, pollMs: 1000, onState: (s) => states.push(s) });
    expect(refresh.callCount).to.equal(1);
    clock.tick(3000);
    expect(refresh.callCount).to.equal(4);
    stop();
    clock.tick(3000);
    expect(refresh.callCount).to.equal(4);
    expect(states).to.deep.equal(['polling']);
  });

  it('re-reads on relevant messages, reconnects with backoff and re-reads after reconnecting', () => {
    const refresh = sinon.spy();
    const states: LiveState[] = [];
    const stop = startLive({
      websocketUrl: 'ws://127.0.0.1:4042',
      token: 'a b',
      refresh,
      relevant: (m) => m.type !== 'Ignored',
      pollMs: 1000,
      safetyMs: 60_000,
      onState: (s) => states.push(s),
      WebSocketImpl: FakeSocket as unknown as { new (url: string): WebSocket },
    });
    const first = FakeSocket.all[0];
    expect(first?.url).to.equal('ws://127.0.0.1:4042?token=a%20b');
    first?.open();
    expect(states).to.deep.equal(['connecting', 'live']);
    const afterOpen = refresh.callCount;
    first?.send({ type: 'OrderManager.OrderPlaced', detail: {}, at: 'x' });
    first?.send({ type: 'Ignored', detail: {} });
    first?.send({ type: 'OrderManager.OrderClaimed', detail: {}, at: 'y' });
    expect(refresh.callCount).to.equal(afterOpen + 2); // at once, for each relevant message
    clock.tick(1000); // and one settling re-read a second later, shared
    expect(refresh.callCount).to.equal(afterOpen + 3);
    clock.tick(5000); // connected: only the slow safety poll, not yet due
    expect(refresh.callCount).to.equal(afterOpen + 3);

    first?.close(); // the connection drops: poll meanwhile, reconnect after a backoff
    expect(states.at(-1)).to.equal('connecting');
    clock.tick(1000);
    expect(refresh.callCount).to.equal(afterOpen + 4);
    expect(FakeSocket.all).to.have.length(2);
    FakeSocket.all[1]?.open();
    expect(states.at(-1)).to.equal('live');
    expect(refresh.callCount).to.equal(afterOpen + 5);

    stop();
    expect(FakeSocket.all[1]?.closed).to.equal(true);
    clock.tick(120_000);
    expect(FakeSocket.all).to.have.length(2);
    expect(refresh.callCount).to.equal(afterOpen + 5);
  });

  it('builds the socket URL with the token and extra parameters', () => {
    expect(socketUrl('ws://h:1', 'a.b', { shopId: 'demo' })).to.equal(
      'ws://h:1?token=a.b&shopId=demo',
    );
    expect(socketUrl('wss://h/dev?x=1', 'a b')).to.equal('wss://h/dev?x=1&token=a%20b');
    expect(socketUrl('ws://h:1', undefined)).to.equal('ws://h:1');
    expect(liveMode('live')).to.equal('push');
    expect(liveMode('connecting')).to.equal('poll');
    expect(liveMode('polling')).to.equal('poll');
  });

  it('retries a refused or failing socket with growing delays, polling meanwhile', () => {
    const refresh = sinon.spy();
    const stop = startLive({
      websocketUrl: 'ws://h:1',
      refresh,
      pollMs: 1000,
      WebSocketImpl: FakeSocket as unknown as { new (url: string): WebSocket },
    });
    // Each attempt fails before opening (e.g. a 401 handshake): 0.5, 1, 2, 4 s (± 25 %) apart.
    const gaps: number[] = [];
    let last = 0;
    for (let i = 0; i < 4; i++) {
      const socket = FakeSocket.all[i];
      socket?.close();
      let waited = 0;
      while (FakeSocket.all.length === i + 1 && waited < 20_000) {
        clock.tick(25);
        waited += 25;
      }
      gaps.push(waited);
      last = waited;
    }
    expect(gaps[0]).to.be.within(375, 650);
    expect(gaps[1]).to.be.within(750, 1275);
    expect(gaps[2]).to.be.within(1500, 2525);
    expect(last).to.be.within(3000, 5025);
    // Meanwhile it polled every second (plus the first read).
    expect(refresh.callCount).to.be.at.least(4);
    // A successful open resets the backoff.
    FakeSocket.all[4]?.open();
    FakeSocket.all[4]?.close();
    let waited = 0;
    while (FakeSocket.all.length === 5 && waited < 20_000) {
      clock.tick(25);
      waited += 25;
    }
    expect(waited).to.be.within(375, 650);
    stop();
  });

  it('passes every message on and delays re-reads when asked, one for a burst', () => {
    const refresh = sinon.spy();
    const seen: string[] = [];
    const stop = startLive({
      websocketUrl: 'ws://h:1',
      refresh,
      delayMs: 2000,
      safetyMs: 60_000,
      relevant: (m) => m.type.endsWith('Completed'),
      onMessage: (m) => seen.push(m.type),
      WebSocketImpl: FakeSocket as unknown as { new (url: string): WebSocket },
    });
    const socket = FakeSocket.all[0];
    socket?.open();
    const base = refresh.callCount;
    socket?.send({ type: 'OrderManager.OrderCompleted', detail: {} });
    socket?.send({ type: 'OrderManager.OrderClaimed', detail: {} });
    socket?.send({ type: 'OrderManager.OrderCompleted', detail: {} });
    expect(seen).to.deep.equal([
      'OrderManager.OrderCompleted',
      'OrderManager.OrderClaimed',
      'OrderManager.OrderCompleted',
    ]);
    clock.tick(1999);
    expect(refresh.callCount).to.equal(base);
    clock.tick(1);
    expect(refresh.callCount).to.equal(base + 1);
    socket?.send({ type: 'OrderManager.OrderCompleted', detail: {} });
    stop();
    clock.tick(5000);
    expect(refresh.callCount).to.equal(base + 1);
  });

  it('never overlaps re-reads and runs once more for calls made meanwhile', async () => {
    clock.restore();
    let running = 0;
    let most = 0;
    let runs = 0;
    const read = singleFlight(async () => {
      running++;
      most = Math.max(most, running);
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
    });
    await Promise.all([read(), read(), read()]);
    expect(most).to.equal(1);
    expect(runs).to.equal(2);
    clock = sinon.useFakeTimers();
  });
});
