import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ApiError, apiErrorFrom, errorMessage, isTransient, retryTransient } from './errors';

describe('API errors', () => {
  it('reads the error body every API answers with', () => {
    const error = apiErrorFrom(400, {
      error: {
        code: 'INVALID_REQUEST',
        message: 'drinkId: mocha is not on the menu',
        field: 'drinkId',
      },
    });
    expect(error).to.include({ status: 400, code: 'INVALID_REQUEST', field: 'drinkId' });
    expect(error.message).to.equal('drinkId: mocha is not on the menu');
  });

  it('still gives an error for a body that is not the contract', () => {
    expect(apiErrorFrom(502, 'Bad Gateway')).to.include({ code: 'INTERNAL_ERROR', status: 502 });
    expect(apiErrorFrom(404, undefined)).to.include({ code: 'INVALID_REQUEST', status: 404 });
  });

  [
    {
      name: 'a network failure says we keep trying',
      error: new ApiError(0, 'NETWORK', 'x'),
      expected: /Cannot reach the service/,
    },
    {
      name: 'a 401 asks to sign in again',
      error: new ApiError(401, 'UNAUTHORIZED', 'x'),
      expected: /sign in again/,
    },
    {
      name: 'a 403 says it is not allowed, with the reason',
      error: new ApiError(403, 'FORBIDDEN', 'baristas of demo only'),
      expected: /not allowed.*baristas of demo only/,
    },
    {
      name: 'a bad QR code asks to scan again',
      error: new ApiError(400, 'INVALID_REQUEST', 'qrCode: expired', 'qrCode'),
      expected: /qrCode: expired.*Scan the code/,
    },
    {
      name: 'another 400 shows the message naming the field',
      error: new ApiError(
        400,
        'INVALID_REQUEST',
        'modifiers.Milk: choose one of Regular, Oat',
        'modifiers.Milk',
      ),
      expected: /^modifiers\.Milk: choose one/,
    },
    {
      name: 'a 409 shows the current state',
      error: new ApiError(409, 'CONFLICT', 'order is IN_PROGRESS'),
      expected: /^order is IN_PROGRESS$/,
    },
    {
      name: 'the daily limit says come back tomorrow',
      error: new ApiError(429, 'LIMIT_EXCEEDED', 'daily limit reached.'),
      expected: /daily limit reached\. Come back tomorrow/,
    },
    {
      name: 'a 500 says nothing internal',
      error: new ApiError(500, 'INTERNAL_ERROR', 'stack trace'),
      expected: /^Something went wrong on our side/,
    },
    {
      name: 'an unparseable answer asks to reload',
      error: new ApiError(200, 'BAD_RESPONSE', 'x'),
      expected: /Reload/,
    },
    {
      name: 'any other error shows its message',
      error: new Error('Sign-in failed'),
      expected: /^Sign-in failed$/,
    },
    {
      name: 'a thrown non-error still says something',
      error: 'boom',
      expected: /^Something went wrong\.$/,
    },
  ].forEach((c) => {
    it(c.name, () => {
      expect(errorMessage(c.error)).to.match(c.expected);
    });
  });
});

describe('retryTransient', () => {
  const noSleep = async () => undefined;

  [
    { name: 'no answer (network)', error: new ApiError(0, 'NETWORK', 'network error'), yes: true },
    { name: 'a 500', error: new ApiError(500, 'INTERNAL_ERROR', 'internal error'), yes: true },
    { name: 'a 503 from a gateway', error: new ApiError(503, 'INTERNAL_ERROR', 'x'), yes: true },
    {
      name: 'a 409 asking to try again (shown: the API already tried again)',
      error: new ApiError(409, 'CONFLICT', 'the code is in demand right now; try again'),
      yes: false,
    },
    {
      name: 'a 409 that is an answer (code used up)',
      error: new ApiError(409, 'CONFLICT', 'this code has no orders left; wait for the next one'),
      yes: false,
    },
    {
      name: 'a 409 naming the status that refuses a choice',
      error: new ApiError(409, 'CONFLICT', 'order o1 is TIMED_OUT: cannot select it'),
      yes: false,
    },
    { name: 'a 400', error: new ApiError(400, 'INVALID_REQUEST', 'qrCode: wrong'), yes: false },
    { name: 'not an API error', error: new Error('bug'), yes: false },
  ].forEach((c) => {
    it(`${c.yes ? 'retries' : 'does not retry'} ${c.name}`, async () => {
      expect(isTransient(c.error)).to.equal(c.yes);
      let calls = 0;
      const outcome = await retryTransient(
        async () => {
          calls++;
          if (calls === 1) throw c.error;
          return 'placed';
        },
        { sleep: noSleep },
      ).catch((e: unknown) => e);
      expect(outcome).to.equal(c.yes ? 'placed' : c.error);
      expect(calls).to.equal(c.yes ? 2 : 1);
    });
  });

  it('gives up after its attempts, waiting longer each time', async () => {
    const waits: number[] = [];
    const down = new ApiError(0, 'NETWORK', 'network error');
    const error = await retryTransient(
      async () => {
        throw down;
      },
      { attempts: 3, delayMs: 100, sleep: async (ms) => void waits.push(ms) },
    ).catch((e: unknown) => e);
    expect(error).to.equal(down);
    expect(waits).to.deep.equal([100, 200]);
  });
});
