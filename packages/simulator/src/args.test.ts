import { expect } from 'chai';
import { parseDuration, parseRange, parseSimulateArgs } from './args';

describe('simulate arguments', () => {
  [
    { text: '250ms', ms: 250 },
    { text: '2s', ms: 2000 },
    { text: '1.5s', ms: 1500 },
    { text: '1m', ms: 60_000 },
    { text: '3', ms: 3000 },
  ].forEach((c) => {
    it(`reads the duration ${c.text}`, () => expect(parseDuration(c.text)).to.equal(c.ms));
  });

  it('reads think-time ranges', () => {
    expect(parseRange('1-3s')).to.deep.equal([1000, 3000]);
    expect(parseRange('500ms-2s')).to.deep.equal([500, 2000]);
    expect(parseRange('2s')).to.deep.equal([2000, 2000]);
    expect(() => parseRange('3s-1s')).to.throw(/minimum/);
  });

  it('defaults to 40 orders against the local stack', () => {
    const args = parseSimulateArgs([], '/e.json');
    expect(args).to.include({
      shop: 'sim',
      customers: 4,
      baristas: 2,
      orders: 40,
      endpoints: '/e.json',
    });
  });

  it('takes a duration instead of an order count', () => {
    const args = parseSimulateArgs(['--duration', '30s'], '/e.json');
    expect(args.durationMs).to.equal(30_000);
    expect(args.orders).to.equal(undefined);
  });

  it('reads a deployed stage from the environment', () => {
    const args = parseSimulateArgs([], '/e.json', {
      ESPRESSO_CONFIG_URL: 'https://c',
      ESPRESSO_ORDERS_URL: 'https://o',
      ESPRESSO_TOKENS: 't.json',
    });
    expect(args).to.include({ configUrl: 'https://c', ordersUrl: 'https://o', tokens: 't.json' });
  });

  it('reads the duplicate rate (none by default)', () => {
    expect(parseSimulateArgs([], '/e.json').duplicateRate).to.equal(0);
    expect(parseSimulateArgs(['--duplicate-rate', '0.25'], '/e.json').duplicateRate).to.equal(0.25);
  });

  [
    { name: 'a duplicate rate above 1', argv: ['--duplicate-rate', '2'], error: /duplicate-rate/ },
    { name: 'a rate above 1', argv: ['--cancel-rate', '1.5'], error: /cancel-rate/ },
    {
      name: 'rates adding up above 1',
      argv: ['--cancel-rate', '0.6', '--abandon-rate', '0.6'],
      error: /exceed/,
    },
    {
      name: 'a customer timeout under 5 s',
      argv: ['--customer-timeout', '2'],
      error: /at least 5/,
    },
    { name: 'no baristas', argv: ['--baristas', '0'], error: /baristas/ },
  ].forEach((c) => {
    it(`refuses ${c.name}`, () => expect(() => parseSimulateArgs(c.argv, '/e')).to.throw(c.error));
  });
});
