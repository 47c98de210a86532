import { ERROR_STATUS, ErrorBodySchema, type ErrorCode } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import {
  conflict,
  forbidden,
  HttpError,
  invalidRequest,
  limitExceeded,
  notFound,
  unauthorized,
} from './errors';

describe('errors', () => {
  describe('HttpError', () => {
    (Object.keys(ERROR_STATUS) as ErrorCode[]).forEach((code) => {
      it(`travels with HTTP ${ERROR_STATUS[code]} for ${code}`, () => {
        expect(new HttpError(code, 'something').status).to.equal(ERROR_STATUS[code]);
      });
    });

    it('is an Error with its own name, code, message and field', () => {
      const error = new HttpError('CONFLICT', 'orderId: already taken', 'orderId');

      expect(error).to.be.instanceOf(Error);
      expect(error.name).to.equal('HttpError');
      expect(error.code).to.equal('CONFLICT');
      expect(error.message).to.equal('orderId: already taken');
      expect(error.field).to.equal('orderId');
    });

    [
      {
        name: 'writes code, message and field into the body when there is a field',
        input: new HttpError('INVALID_REQUEST', 'name: must not be empty', 'name'),
        expected: {
          error: { code: 'INVALID_REQUEST', message: 'name: must not be empty', field: 'name' },
        },
      },
      {
        name: 'leaves the field key out of the body when there is no field',
        input: new HttpError('NOT_FOUND', 'shop cafe does not exist'),
        expected: { error: { code: 'NOT_FOUND', message: 'shop cafe does not exist' } },
      },
    ].forEach((c) => {
      it(c.name, () => {
        const body = c.input.toBody();

        expect(body).to.deep.equal(c.expected);
        expect(ErrorBodySchema.safeParse(body).success).to.equal(true);
      });
    });
  });

  describe('helpers', () => {
    [
      {
        name: 'invalidRequest is a 400 naming the field',
        input: invalidRequest('menu.0.name', 'menu.0.name: must not be empty'),
        expected: {
          status: 400,
          code: 'INVALID_REQUEST',
          message: 'menu.0.name: must not be empty',
          field: 'menu.0.name',
        },
      },
      {
        name: 'unauthorized is a 401 asking for a bearer token by default',
        input: unauthorized(),
        expected: {
          status: 401,
          code: 'UNAUTHORIZED',
          message: 'sign in first: a bearer token is required',
          field: undefined,
        },
      },
      {
        name: 'unauthorized takes its own message',
        input: unauthorized('the token expired'),
        expected: {
          status: 401,
          code: 'UNAUTHORIZED',
          message: 'the token expired',
          field: undefined,
        },
      },
      {
        name: 'forbidden is a 403',
        input: forbidden('requires the admin role'),
        expected: {
          status: 403,
          code: 'FORBIDDEN',
          message: 'requires the admin role',
          field: undefined,
        },
      },
      {
        name: 'notFound is a 404',
        input: notFound('shop cafe does not exist'),
        expected: {
          status: 404,
          code: 'NOT_FOUND',
          message: 'shop cafe does not exist',
          field: undefined,
        },
      },
      {
        name: 'conflict is a 409 without a field',
        input: conflict('changed by someone else'),
        expected: {
          status: 409,
          code: 'CONFLICT',
          message: 'changed by someone else',
          field: undefined,
        },
      },
      {
        name: 'conflict is a 409 that may name a field',
        input: conflict('drinkId is taken', 'drinkId'),
        expected: { status: 409, code: 'CONFLICT', message: 'drinkId is taken', field: 'drinkId' },
      },
      {
        name: 'limitExceeded is a 429',
        input: limitExceeded('3 orders a day at most'),
        expected: {
          status: 429,
          code: 'LIMIT_EXCEEDED',
          message: '3 orders a day at most',
          field: undefined,
        },
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(c.input).to.be.instanceOf(HttpError);
        expect({
          status: c.input.status,
          code: c.input.code,
          message: c.input.message,
          field: c.input.field,
        }).to.deep.equal(c.expected);
        expect(ErrorBodySchema.safeParse(c.input.toBody()).success).to.equal(true);
      });
    });
  });
});
