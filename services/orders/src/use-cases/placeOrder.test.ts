import { HttpError } from '@espresso/runtime';
import { type Identity, NewOrderResponseSchema, OrderItemSchema } from '@espresso/schemas';
import { expect } from 'chai';
import sinon from 'sinon';
import { orderItemKeys } from '../adapters/orderKeys';
import { bucketOf, GRACE_MS } from '../domain/qr';
import { callers, fakePorts, rejectionOf, SHOP, shopConfig, TABLES } from '../testing/fakes';
import { placeOrder } from './placeOrder';
import { getQrCode } from './qrCode';

const ROTATION = Date.parse('2026-11-24T08:05:00.000Z'); // a 300 s boundary
const MID_BUCKET = ROTATION + 120_000;
const TTL_MS = 300_000;

type World = ReturnType<typeof fakePorts>;

const world = (limits: Partial<ReturnType<typeof shopConfig>['limits']> = {}, open = true) =>
  fakePorts({
    shops: [shopConfig({ open, limits: { ...shopConfig().limits, ...limits } })],
    now: MID_BUCKET,
  });

/** The code a display shows at `atMs` (the clock is left there). */
const displayCode = async (w: World, atMs: number) => {
  w.clock.set(atMs);
  return (await getQrCode(w.ports, callers.display, SHOP)).code;
};

const place = (w: World, code: string, who: Identity = callers.owner) =>
  placeOrder(w.ports, who, SHOP, code);

/** Nothing was written and nothing emitted by a refused order. */
const expectNothingPlaced = (w: World) => {
  expect(w.orders.all(), 'orders written').to.deep.equal([]);
  expect(w.bus.emitted, 'events emitted').to.deep.equal([]);
};

const expectHttpError = (error: unknown, expected: Record<string, unknown>) => {
  expect(error).to.be.instanceOf(HttpError);
  expect(error).to.include(expected);
};

describe('placeOrder', () => {
  describe('refusals', () => {
    it('answers 404 for a shop that does not exist', async () => {
      const w = world();

      const error = await rejectionOf(placeOrder(w.ports, callers.owner, 'nowhere', 'abcdefghij'));

      expectHttpError(error, { code: 'NOT_FOUND', status: 404 });
      expectNothingPlaced(w);
    });

    it('answers 409 while the shop is closed, even with a good code', async () => {
      const w = world({}, false);
      const code = await displayCode(w, MID_BUCKET);

      const error = await rejectionOf(place(w, code));

      expectHttpError(error, { code: 'CONFLICT', status: 409 });
      expect((error as Error).message).to.include('closed');
      expectNothingPlaced(w);
    });

    [
      { name: 'refuses a wrong code with a 400 naming qrCode', input: 'wrong' },
      { name: 'refuses the right code in the wrong case', input: 'swapcase' },
      { name: 'refuses a code when no display has shown one yet', input: 'none' },
      { name: 'refuses the code of two buckets ago', input: 'stale' },
    ].forEach((c) => {
      it(c.name, async () => {
        const w = world();
        let code = 'Abcdefghij';
        if (c.input === 'wrong') {
          await displayCode(w, MID_BUCKET);
          code = 'Zzzzzzzzzz';
        } else if (c.input === 'swapcase') {
          const shown = await displayCode(w, MID_BUCKET);
          code = [...shown]
            .map((ch) => (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()))
            .join('');
          if (code === shown) code = `${shown.slice(0, 9)}X`; // digits only: any change will do
        } else if (c.input === 'stale') {
          code = await displayCode(w, MID_BUCKET - 2 * TTL_MS);
          w.clock.set(MID_BUCKET);
        }

        const error = await rejectionOf(place(w, code));

        expectHttpError(error, { code: 'INVALID_REQUEST', status: 400, field: 'qrCode' });
        expect((error as Error).message).to.match(/^qrCode: .*wrong or has expired/);
        expect(w.orders.placeRequests, 'the transaction ran').to.deep.equal([]);
        expectNothingPlaced(w);
      });
    });

    it('answers 409 naming qrCode once the code has no orders left, and writes nothing', async () => {
      const w = world({ ordersPerCode: 1 });
      const code = await displayCode(w, MID_BUCKET);
      await place(w, code, callers.owner);
      const before = w.orders.all();
      const eventsBefore = w.bus.emitted.length;

      const error = await rejectionOf(place(w, code, callers.otherCustomer));

      expectHttpError(error, { code: 'CONFLICT', status: 409, field: 'qrCode' });
      expect(w.orders.all()).to.deep.equal(before);
      expect(w.bus.emitted).to.have.length(eventsBefore);
      expect(
        w.orders.counter(SHOP, `CUSTOMER#${callers.otherCustomer.sub}#DAY#2026-11-24`),
        'daily allowance taken',
      ).to.equal(undefined);
    });

    it('answers 429 past the shop’s daily limit per customer, leaving the code’s count alone', async () => {
      const w = world({ maxOrdersPerCustomerPerDay: 2 });
      const code = await displayCode(w, MID_BUCKET);
      await place(w, code);
      await place(w, code);
      const remaining = w.qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300))?.remaining;

      const error = await rejectionOf(place(w, code));

      expectHttpError(error, { code: 'LIMIT_EXCEEDED', status: 429 });
      expect((error as Error).message).to.include('at most 2 orders per day');
      expect(w.orders.all()).to.have.length(2);
      expect(w.qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300))?.remaining).to.equal(remaining);
    });

    it('counts the daily limit per customer: another customer may still order', async () => {
      const w = world({ maxOrdersPerCustomerPerDay: 1 });
      const code = await displayCode(w, MID_BUCKET);
      await place(w, code, callers.owner);

      const answer = await place(w, code, callers.otherCustomer);

      expect(answer.status).to.equal('AWAITING_SELECTION');
    });

    it('starts a new allowance at UTC midnight', async () => {
      const w = world({ maxOrdersPerCustomerPerDay: 1 });
      await place(w, await displayCode(w, Date.parse('2026-11-24T23:58:00.000Z')));
      const late = await rejectionOf(
        place(w, await displayCode(w, Date.parse('2026-11-24T23:59:59.000Z'))),
      );
      expectHttpError(late, { code: 'LIMIT_EXCEEDED' });

      const answer = await place(w, await displayCode(w, Date.parse('2026-11-25T00:00:40.000Z')));

      expect(answer.status).to.equal('AWAITING_SELECTION');
      expect(w.orders.placeRequests.map((r) => r.daily.counter)).to.deep.equal([
        `CUSTOMER#${callers.owner.sub}#DAY#2026-11-24`,
        `CUSTOMER#${callers.owner.sub}#DAY#2026-11-24`,
        `CUSTOMER#${callers.owner.sub}#DAY#2026-11-25`,
      ]);
    });

    it('answers 409 (try again) when the order id is already taken', async () => {
      const w = world();
      const code = await displayCode(w, MID_BUCKET);
      w.orders.failNextPlace = 'DUPLICATE';

      const error = await rejectionOf(place(w, code));

      expectHttpError(error, { code: 'CONFLICT', status: 409, field: undefined });
      expect((error as Error).message).to.include('try again');
      expectNothingPlaced(w);
    });
  });

  describe('the grace window after the code rotates', () => {
    [
      {
        name: 'accepts the previous code just after the rotation, before any display asked again',
        input: { after: 0, newCodeShown: false },
        expected: 'accepted',
      },
      {
        name: 'accepts the previous code in the last millisecond of grace, with the new code shown',
        input: { after: GRACE_MS - 1, newCodeShown: true },
        expected: 'accepted',
      },
      {
        name: 'refuses the previous code once the grace has run out',
        input: { after: GRACE_MS, newCodeShown: true },
        expected: 'refused',
      },
      {
        name: 'refuses the previous code once the grace has run out, even if no new code was shown',
        input: { after: GRACE_MS, newCodeShown: false },
        expected: 'refused',
      },
    ].forEach((c) => {
      it(c.name, async () => {
        const w = world();
        const previous = await displayCode(w, ROTATION - 60_000);
        if (c.input.newCodeShown) await displayCode(w, ROTATION + 1);
        w.clock.set(ROTATION + c.input.after);

        if (c.expected === 'accepted') {
          const { orderId } = await place(w, previous);
          const request = w.orders.placeRequests[0];
          expect(request?.qr).to.deep.equal({
            table: TABLES.qrCodes,
            bucket: bucketOf(ROTATION - 1, 300),
            code: previous,
          });
          expect(
            w.orders.stored(SHOP, orderId)?.codeExpiresAt,
            'the code the order counts against',
          ).to.equal(new Date(ROTATION).toISOString());
        } else {
          const error = await rejectionOf(place(w, previous));
          expectHttpError(error, { code: 'INVALID_REQUEST', field: 'qrCode' });
        }
      });
    });

    it('accepts the current code during the grace window too', async () => {
      const w = world();
      await displayCode(w, ROTATION - 60_000);
      const current = await displayCode(w, ROTATION + 5_000);

      await place(w, current);

      expect(w.orders.placeRequests[0]?.qr.bucket).to.equal(bucketOf(ROTATION, 300));
    });
  });

  describe('a placed order', () => {
    it('is stored awaiting selection, with its keys, for the caller', async () => {
      const w = world();
      const code = await displayCode(w, MID_BUCKET);

      const answer = await place(w, code);

      expect(NewOrderResponseSchema.parse(answer)).to.deep.equal(answer);
      expect(answer.status).to.equal('AWAITING_SELECTION');
      const now = new Date(MID_BUCKET).toISOString();
      const fields = {
        orderId: answer.orderId,
        shopId: SHOP,
        status: 'AWAITING_SELECTION' as const,
        customerId: callers.owner.sub,
        createdAt: now,
        updatedAt: now,
        qrBucket: bucketOf(MID_BUCKET, 300),
        codeExpiresAt: new Date(ROTATION + TTL_MS).toISOString(),
      };
      expect(w.orders.stored(SHOP, answer.orderId)).to.deep.equal(
        OrderItemSchema.parse({ ...fields, ...orderItemKeys(fields) }),
      );
    });

    it('takes one order from the code and one from the customer’s day, in one transaction', async () => {
      const w = world({ ordersPerCode: 10, maxOrdersPerCustomerPerDay: 3 });
      const code = await displayCode(w, MID_BUCKET);

      const answer = await place(w, code);

      const [request] = w.orders.placeRequests;
      expect(request?.order.orderId).to.equal(answer.orderId);
      expect(request?.qr).to.deep.equal({
        table: TABLES.qrCodes,
        bucket: bucketOf(MID_BUCKET, 300),
        code,
      });
      expect(request?.daily).to.deep.equal({
        table: TABLES.counters,
        counter: `CUSTOMER#${callers.owner.sub}#DAY#2026-11-24`,
        limit: 3,
        ttl: Math.ceil(MID_BUCKET / 1000) + 2 * 86_400,
      });
      expect(w.qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300))?.remaining).to.equal(9);
      expect(
        w.orders.counter(SHOP, `CUSTOMER#${callers.owner.sub}#DAY#2026-11-24`)?.value,
      ).to.equal(1);
    });

    it('puts no event itself: the orders table’s stream announces it (the outbox)', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);

      await place(w, code);

      expect(w.bus.types()).to.deep.equal([]);
      expect(w.orders.all()).to.have.length(1);
    });

    it('gets a new id every time', async () => {
      const w = world({ ordersPerCode: 5, maxOrdersPerCustomerPerDay: 5 });
      const code = await displayCode(w, MID_BUCKET);

      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await place(w, code)).orderId);

      expect(new Set(ids).size).to.equal(5);
      expect(w.orders.all()).to.have.length(5);
    });
  });

  describe('with an Idempotency-Key', () => {
    const KEY = '3f0c2a9e-5b1d-4c8e-9a7f-0e6d5c4b3a21';
    const placeWithKey = (w: World, code: string, who: Identity = callers.owner, key = KEY) =>
      placeOrder(w.ports, who, SHOP, code, { idempotencyKey: key });
    const dailyCount = (w: World, who: Identity = callers.owner) =>
      w.orders.counter(SHOP, `CUSTOMER#${who.sub}#DAY#2026-11-24`)?.value;

    it('places one order however often the request is sent, and answers each retry as a replay', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);

      const first = await placeWithKey(w, code);
      const second = await placeWithKey(w, code);
      const third = await placeWithKey(w, code);

      expect(first).to.deep.equal({ orderId: first.orderId, status: 'AWAITING_SELECTION' });
      expect(second).to.deep.equal({ ...first, replayed: true });
      expect(third).to.deep.equal({ ...first, replayed: true });
      expect(w.orders.all()).to.have.length(1);
      expect(w.qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300))?.remaining).to.equal(9);
      expect(dailyCount(w)).to.equal(1);
    });

    it('replays a retry that arrives after the code rotated away and the shop closed', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);
      const first = await placeWithKey(w, code);
      w.clock.set(MID_BUCKET + 3 * TTL_MS);
      w.shops.put(
        shopConfig({ open: false, limits: { ...shopConfig().limits, ordersPerCode: 10 } }),
      );

      const retry = await placeWithKey(w, code);

      expect(retry).to.deep.equal({ ...first, replayed: true });
      expect(w.orders.all()).to.have.length(1);
      // A new request in this world is refused: the replay did not just pass the checks.
      const fresh = await rejectionOf(placeWithKey(w, code, callers.owner, 'another-key-1'));
      expectHttpError(fresh, { code: 'CONFLICT', status: 409 });
      expect((fresh as Error).message).to.include('closed');
    });

    it('refuses the key sent again with another code: 409 naming Idempotency-Key, nothing placed', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);
      await placeWithKey(w, code);

      // Another code: its last character changed (a random code may already end in Z).
      const another = `${code.slice(0, -1)}${code.endsWith('Z') ? 'Y' : 'Z'}`;
      const error = await rejectionOf(placeWithKey(w, another));

      expectHttpError(error, { code: 'CONFLICT', status: 409, field: 'Idempotency-Key' });
      expect(w.orders.all()).to.have.length(1);
      expect(dailyCount(w)).to.equal(1);
    });

    it('keeps two customers’ same key apart: two orders', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);

      const mine = await placeWithKey(w, code, callers.owner);
      const theirs = await placeWithKey(w, code, callers.otherCustomer);

      expect(mine.orderId).to.not.equal(theirs.orderId);
      expect(theirs).to.not.have.property('replayed');
      expect(w.orders.all()).to.have.length(2);
    });

    it('lets two copies racing place one order: the copy whose transaction finds it is a replay', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);

      const answers = await Promise.all([placeWithKey(w, code), placeWithKey(w, code)]);

      expect(answers.map((a) => a.orderId)[0]).to.equal(answers[1]?.orderId);
      expect(answers.filter((a) => a.replayed)).to.have.length(1);
      expect(w.orders.placeRequests, 'both reached the transaction').to.have.length(2);
      expect(w.orders.all()).to.have.length(1);
      expect(w.qrCodes.stored(SHOP, bucketOf(MID_BUCKET, 300))?.remaining).to.equal(9);
    });

    it('answers a copy that met the winner mid-flight (a transaction conflict) as a replay', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);
      const first = await placeWithKey(w, code);
      // This copy looked before the winner's order was there, then its transaction was cancelled.
      const get = sinon.stub(w.orders, 'get').callThrough();
      get.onFirstCall().resolves(undefined);
      w.orders.failNextPlace = 'CONTENDED';

      const copy = await placeWithKey(w, code);

      expect(copy).to.deep.equal({ ...first, replayed: true });
      expect(get.callCount).to.equal(2);
      expect(w.orders.all()).to.have.length(1);
    });

    it('stores the request’s digest on the order, and none without a key', async () => {
      const w = world({ ordersPerCode: 10 });
      const code = await displayCode(w, MID_BUCKET);

      const keyed = await placeWithKey(w, code);
      const plain = await place(w, code);

      expect(w.orders.stored(SHOP, keyed.orderId)?.requestDigest).to.be.a('string');
      expect(w.orders.stored(SHOP, plain.orderId)).to.not.have.property('requestDigest');
    });
  });
});
