import { QrCodeSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { bucketEnd, bucketOf, candidateBuckets, GRACE_MS, newCode, utcDay } from './qr';

const TTL = 300; // seconds: buckets of 300 000 ms
const ROTATION = Date.parse('2026-11-24T08:05:00.000Z'); // a multiple of 300 s since the epoch
const B = ROTATION / (TTL * 1000); // the bucket that starts at ROTATION

describe('QR code time buckets', () => {
  it('starts the example at a rotation (fixture check)', () => {
    expect(Number.isInteger(B)).to.equal(true);
  });

  describe('bucketOf', () => {
    [
      { name: 'puts the first millisecond of a bucket in it', input: ROTATION, expected: B },
      {
        name: 'puts the last millisecond of a bucket in it',
        input: ROTATION + 299_999,
        expected: B,
      },
      {
        name: 'starts the next bucket at the next rotation',
        input: ROTATION + 300_000,
        expected: B + 1,
      },
      {
        name: 'puts the millisecond before a rotation in the previous bucket',
        input: ROTATION - 1,
        expected: B - 1,
      },
      { name: 'counts buckets from the epoch', input: 0, expected: 0 },
    ].forEach((c) => {
      it(c.name, () => {
        expect(bucketOf(c.input, TTL)).to.equal(c.expected);
      });
    });

    it('uses the shop’s own time to live', () => {
      expect(bucketOf(90_000, 30)).to.equal(3);
      expect(bucketOf(90_000, 3600)).to.equal(0);
    });
  });

  describe('bucketEnd', () => {
    it('ends a bucket where the next one starts', () => {
      expect(bucketEnd(B, TTL)).to.equal(ROTATION + 300_000);
      expect(bucketOf(bucketEnd(B, TTL), TTL)).to.equal(B + 1);
      expect(bucketOf(bucketEnd(B, TTL) - 1, TTL)).to.equal(B);
    });

    it('is an instant a code can be shown to expire at', () => {
      expect(new Date(bucketEnd(B, TTL)).toISOString()).to.equal('2026-11-24T08:10:00.000Z');
    });
  });

  describe('candidateBuckets (the grace window after a rotation)', () => {
    [
      {
        name: 'accepts the previous code at the rotation itself',
        input: ROTATION,
        expected: [B, B - 1],
      },
      {
        name: 'accepts the previous code up to the last millisecond of grace',
        input: ROTATION + GRACE_MS - 1,
        expected: [B, B - 1],
      },
      {
        name: 'refuses the previous code once the grace has run out',
        input: ROTATION + GRACE_MS,
        expected: [B],
      },
      {
        name: 'accepts only the current code mid-bucket',
        input: ROTATION + 150_000,
        expected: [B],
      },
      {
        name: 'accepts only the current code just before the next rotation',
        input: ROTATION + 299_999,
        expected: [B],
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(candidateBuckets(c.input, TTL)).to.deep.equal(c.expected);
      });
    });

    it('tries the current bucket first', () => {
      expect(candidateBuckets(ROTATION + 1, TTL)[0]).to.equal(B);
    });

    it('grants 30 seconds of grace', () => {
      expect(GRACE_MS).to.equal(30_000);
    });

    it('never reaches back more than one bucket, even at the shortest time to live', () => {
      const ttl = 30; // the smallest codeTtlSeconds a shop may set: as long as the grace
      const rotation = 1_000 * ttl * 1000;
      expect(candidateBuckets(rotation + GRACE_MS - 1, ttl)).to.deep.equal([1000, 999]);
      expect(candidateBuckets(rotation + GRACE_MS, ttl)).to.deep.equal([1001, 1000]);
    });
  });
});

describe('newCode', () => {
  it('makes 10 characters of [A-Za-z0-9_-], a valid qrCode', () => {
    for (let i = 0; i < 200; i++) {
      const code = newCode();
      expect(code).to.match(/^[A-Za-z0-9_-]{10}$/);
      expect(QrCodeSchema.parse(code)).to.equal(code);
    }
  });

  it('makes a different code every time (10 000 draws, no repeat)', () => {
    const codes = new Set(Array.from({ length: 10_000 }, () => newCode()));
    expect(codes.size).to.equal(10_000);
  });

  it('uses every kind of character over many draws (not a fixed alphabet subset)', () => {
    const chars = new Set(Array.from({ length: 2_000 }, () => newCode()).join(''));
    for (const sample of [/[A-Z]/, /[a-z]/, /[0-9]/]) {
      expect(
        [...chars].some((ch) => sample.test(ch)),
        String(sample),
      ).to.equal(true);
    }
  });
});

describe('utcDay', () => {
  [
    { name: 'names the UTC date', input: '2026-11-24T08:00:00.000Z', expected: '2026-11-24' },
    {
      name: 'keeps the last millisecond of a day in it',
      input: '2026-11-24T23:59:59.999Z',
      expected: '2026-11-24',
    },
    {
      name: 'starts a new day at UTC midnight',
      input: '2026-11-25T00:00:00.000Z',
      expected: '2026-11-25',
    },
    { name: 'crosses a year', input: '2026-12-31T23:59:59.999Z', expected: '2026-12-31' },
    { name: 'knows leap days', input: '2028-02-29T12:00:00.000Z', expected: '2028-02-29' },
  ].forEach((c) => {
    it(c.name, () => {
      expect(utcDay(Date.parse(c.input))).to.equal(c.expected);
    });
  });

  it('ignores the machine’s time zone (a local evening is already the next UTC day)', () => {
    // 20:30 in New York on Nov 24 is 01:30 UTC on Nov 25.
    expect(utcDay(Date.parse('2026-11-24T20:30:00.000-05:00'))).to.equal('2026-11-25');
  });
});
