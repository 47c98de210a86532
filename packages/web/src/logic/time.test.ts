import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  ageColour,
  customerDeadline,
  formatAge,
  formatCountdown,
  fractionLeft,
  secondsSince,
  secondsUntil,
} from './time';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');

describe('time', () => {
  [
    { seconds: 0, expected: 'green' },
    { seconds: 119, expected: 'green' },
    { seconds: 120, expected: 'amber' },
    { seconds: 299, expected: 'amber' },
    { seconds: 300, expected: 'red' },
    { seconds: 4000, expected: 'red' },
  ].forEach((c) => {
    it(`colours an order ${c.seconds}s old ${c.expected}`, () => {
      expect(ageColour(c.seconds)).to.equal(c.expected);
    });
  });

  [
    { seconds: 300, expected: '5:00' },
    { seconds: 299.4, expected: '4:59' },
    { seconds: 61, expected: '1:01' },
    { seconds: 0, expected: '0:00' },
    { seconds: -5, expected: '0:00' },
  ].forEach((c) => {
    it(`shows a countdown of ${c.seconds}s as ${c.expected}`, () => {
      expect(formatCountdown(c.seconds)).to.equal(c.expected);
    });
  });

  [
    { seconds: 45, expected: '45s' },
    { seconds: 125, expected: '2m 05s' },
    { seconds: 3780, expected: '1h 03m' },
  ].forEach((c) => {
    it(`shows an age of ${c.seconds}s as ${c.expected}`, () => {
      expect(formatAge(c.seconds)).to.equal(c.expected);
    });
  });

  it('counts down to the customer deadline from the order creation', () => {
    const deadline = customerDeadline('2026-11-25T10:00:00.000Z', 300);
    expect(secondsUntil(deadline, T0)).to.equal(300);
    expect(secondsUntil(deadline, T0 + 299_500)).to.equal(1);
    expect(secondsUntil(deadline, T0 + 400_000)).to.equal(0);
    expect(secondsUntil('2026-11-25T10:01:00.000Z', T0)).to.equal(60);
  });

  it('measures an age in whole seconds, never negative', () => {
    expect(secondsSince('2026-11-25T10:00:00.000Z', T0 + 1_999)).to.equal(1);
    expect(secondsSince('2026-11-25T10:00:00.000Z', T0 - 5_000)).to.equal(0);
  });

  it('gives the fraction of a countdown left, within 0..1', () => {
    expect(fractionLeft(150, 300)).to.equal(0.5);
    expect(fractionLeft(400, 300)).to.equal(1);
    expect(fractionLeft(-1, 300)).to.equal(0);
    expect(fractionLeft(1, 0)).to.equal(0);
  });
});
