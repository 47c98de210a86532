import { HttpError } from '@espresso/runtime';
import { QrCodeResponseSchema } from '@espresso/schemas';
import { expect } from 'chai';
import { bucketOf } from '../domain/qr';
import {
  type Caller,
  callers,
  fakePorts,
  OTHER_SHOP,
  rejectionOf,
  SHOP,
  shopConfig,
} from '../testing/fakes';
import { getQrCode } from './qrCode';

const ROTATION = Date.parse('2026-11-24T08:05:00.000Z'); // a 300 s boundary
const MID_BUCKET = ROTATION + 120_000;

describe('getQrCode', () => {
  describe('who may show the code', () => {
    (
      [
        { name: 'gives the display of the shop its code', input: 'display', expected: 200 },
        { name: 'gives the admin of the shop its code', input: 'admin', expected: 200 },
        { name: 'gives an admin of every shop the code', input: 'adminOfEveryShop', expected: 200 },
        { name: 'refuses a customer', input: 'owner', expected: 403 },
        { name: 'refuses a barista of the shop', input: 'barista', expected: 403 },
        { name: 'refuses the display of another shop', input: 'displayOfOtherShop', expected: 403 },
        { name: 'refuses an admin of another shop', input: 'adminOfOtherShop', expected: 403 },
      ] satisfies { name: string; input: Caller; expected: 200 | 403 }[]
    ).forEach((c) => {
      it(c.name, async () => {
        const { ports, qrCodes } = fakePorts({ now: MID_BUCKET });

        if (c.expected === 200) {
          const answer = await getQrCode(ports, callers[c.input], SHOP);
          expect(QrCodeResponseSchema.parse(answer)).to.deep.equal(answer);
        } else {
          const error = await rejectionOf(getQrCode(ports, callers[c.input], SHOP));
          expect(error).to.be.instanceOf(HttpError);
          expect(error).to.include({ code: 'FORBIDDEN', status: 403 });
          expect(qrCodes.created, 'a code was created').to.equal(0);
        }
      });
    });
  });

  it('answers 404 for a shop that does not exist', async () => {
    const { ports } = fakePorts({ now: MID_BUCKET });

    const error = await rejectionOf(getQrCode(ports, callers.adminOfEveryShop, 'nowhere'));

    expect(error).to.include({ code: 'NOT_FOUND', status: 404 });
  });

  it('checks the role against the requested shop, not the caller’s own', async () => {
    const { ports } = fakePorts({ shops: [shopConfig(), shopConfig({ shopId: OTHER_SHOP })] });

    const error = await rejectionOf(getQrCode(ports, callers.display, OTHER_SHOP));

    expect(error).to.include({ code: 'FORBIDDEN' });
  });

  it('creates the bucket’s code: expiring at the rotation, the shop’s orders per code left', async () => {
    const { ports, qrCodes } = fakePorts({
      shops: [shopConfig({ limits: { ...shopConfig().limits, ordersPerCode: 4 } })],
      now: MID_BUCKET,
    });

    const answer = await getQrCode(ports, callers.display, SHOP);

    expect(answer.expiresAt).to.equal('2026-11-24T08:10:00.000Z');
    expect(answer.remaining).to.equal(4);
    expect(answer.code).to.match(/^[A-Za-z0-9_-]{10}$/);
    const stored = qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300));
    expect(stored).to.deep.equal({
      shopId: SHOP,
      bucket: bucketOf(MID_BUCKET, 300),
      code: answer.code,
      expiresAt: answer.expiresAt,
      remaining: 4,
      // kept an hour past expiry, in epoch seconds (DynamoDB TTL)
      ttl: Date.parse('2026-11-24T08:10:00.000Z') / 1000 + 3600,
    });
  });

  it('gives every display the same code within a bucket, even when they ask at once', async () => {
    const { ports, qrCodes } = fakePorts({ now: MID_BUCKET });

    const answers = await Promise.all([
      getQrCode(ports, callers.display, SHOP),
      getQrCode(ports, callers.admin, SHOP),
      getQrCode(ports, callers.display, SHOP),
    ]);

    expect(new Set(answers.map((a) => a.code)).size).to.equal(1);
    expect(qrCodes.created).to.equal(1);
  });

  it('shows the stored count, so a display sees orders already taken from the code', async () => {
    const { ports, qrCodes, clock } = fakePorts({ now: MID_BUCKET });
    const first = await getQrCode(ports, callers.display, SHOP);
    qrCodes.take(SHOP, bucketOf(MID_BUCKET, 300), first.code, true);
    clock.advance(10_000);

    const again = await getQrCode(ports, callers.display, SHOP);

    expect(again).to.deep.equal({ ...first, remaining: first.remaining - 1 });
  });

  it('rotates to a new code at the end of the bucket', async () => {
    const { ports, clock } = fakePorts({ now: ROTATION + 299_999 });
    const before = await getQrCode(ports, callers.display, SHOP);
    clock.advance(1);

    const after = await getQrCode(ports, callers.display, SHOP);

    expect(after.code).not.to.equal(before.code);
    expect(Date.parse(after.expiresAt) - Date.parse(before.expiresAt)).to.equal(300_000);
  });

  it('follows the shop’s own time to live', async () => {
    const { ports } = fakePorts({
      shops: [shopConfig({ limits: { ...shopConfig().limits, codeTtlSeconds: 60 } })],
      now: Date.parse('2026-11-24T08:00:30.000Z'),
    });

    const answer = await getQrCode(ports, callers.display, SHOP);

    expect(answer.expiresAt).to.equal('2026-11-24T08:01:00.000Z');
  });
});
