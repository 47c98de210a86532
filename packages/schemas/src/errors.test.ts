import { expect } from 'chai';
import { describe, it } from 'mocha';
import * as z from 'zod';
import {
  describeZodError,
  ERROR_STATUS,
  ErrorBodySchema,
  ErrorCodeSchema,
  issuePath,
} from './errors';

describe('errors', () => {
  describe('ERROR_STATUS', () => {
    [
      { code: 'INVALID_REQUEST', status: 400 },
      { code: 'UNAUTHORIZED', status: 401 },
      { code: 'FORBIDDEN', status: 403 },
      { code: 'NOT_FOUND', status: 404 },
      { code: 'CONFLICT', status: 409 },
      { code: 'LIMIT_EXCEEDED', status: 429 },
      { code: 'INTERNAL_ERROR', status: 500 },
    ].forEach((c) => {
      it(`answers ${c.code} with HTTP ${c.status}`, () => {
        expect(ERROR_STATUS[ErrorCodeSchema.parse(c.code)]).to.equal(c.status);
      });
    });

    it('has exactly the codes the enum accepts', () => {
      expect(Object.keys(ERROR_STATUS)).to.deep.equal(ErrorCodeSchema.options);
    });
  });

  describe('ErrorCodeSchema', () => {
    [
      { name: 'accepts a known code', input: 'CONFLICT', expected: true },
      { name: 'rejects an unknown code', input: 'TEAPOT', expected: false },
      { name: 'rejects a lower-case code', input: 'conflict', expected: false },
      { name: 'rejects an HTTP status', input: 409, expected: false },
    ].forEach((c) => {
      it(c.name, () => {
        expect(ErrorCodeSchema.safeParse(c.input).success).to.equal(c.expected);
      });
    });
  });

  describe('ErrorBodySchema', () => {
    [
      {
        name: 'accepts code and message',
        input: { error: { code: 'NOT_FOUND', message: 'no such order' } },
        expected: 'valid',
      },
      {
        name: 'accepts a field',
        input: {
          error: { code: 'INVALID_REQUEST', message: 'drinkId: required', field: 'drinkId' },
        },
        expected: 'valid',
      },
      {
        name: 'rejects an unknown code',
        input: { error: { code: 'OOPS', message: 'x' } },
        expected: 'error.code',
      },
      {
        name: 'rejects an empty message',
        input: { error: { code: 'CONFLICT', message: '' } },
        expected: 'error.message',
      },
      {
        name: 'rejects an empty field',
        input: { error: { code: 'CONFLICT', message: 'x', field: '' } },
        expected: 'error.field',
      },
      { name: 'rejects a missing error object', input: { message: 'x' }, expected: 'error' },
      {
        name: 'rejects an extra key beside error',
        input: { error: { code: 'CONFLICT', message: 'x' }, stack: 'at …' },
        expected: 'stack',
      },
      {
        name: 'rejects an extra key inside error',
        input: { error: { code: 'CONFLICT', message: 'x', detail: 1 } },
        expected: 'error.detail',
      },
    ].forEach((c) => {
      it(c.name, () => {
        const result = ErrorBodySchema.safeParse(c.input);
        expect(result.success ? 'valid' : describeZodError(result.error).field).to.equal(
          c.expected,
        );
      });
    });
  });

  describe('issuePath', () => {
    [
      { name: 'names the root (body)', input: [], expected: '(body)' },
      {
        name: 'joins keys with dots',
        input: ['limits', 'ordersPerCode'],
        expected: 'limits.ordersPerCode',
      },
      {
        name: 'writes array indexes as numbers',
        input: ['menu', 2, 'modifiers', 0, 'name'],
        expected: 'menu.2.modifiers.0.name',
      },
    ].forEach((c) => {
      it(c.name, () => {
        expect(issuePath(c.input)).to.equal(c.expected);
      });
    });
  });

  describe('describeZodError', () => {
    const schema = z.strictObject({
      drinkId: z.string(),
      limits: z.strictObject({ ordersPerCode: z.number().int() }).optional(),
      menu: z
        .array(z.strictObject({ name: z.string().min(1, 'name must not be empty') }))
        .optional(),
    });
    [
      {
        name: 'names a missing field',
        input: {},
        expected: {
          field: 'drinkId',
          message: 'drinkId: Invalid input: expected string, received undefined',
        },
      },
      {
        name: 'names a nested field',
        input: { drinkId: 'x', limits: { ordersPerCode: 1.5 } },
        expected: {
          field: 'limits.ordersPerCode',
          message: 'limits.ordersPerCode: Invalid input: expected int, received number',
        },
      },
      {
        name: 'names a field inside an array',
        input: { drinkId: 'x', menu: [{ name: 'a' }, { name: '' }] },
        expected: { field: 'menu.1.name', message: 'menu.1.name: name must not be empty' },
      },
      {
        name: 'names an unknown key at the root',
        input: { drinkId: 'x', userId: 'u' },
        expected: { field: 'userId', message: 'userId: unknown field' },
      },
      {
        name: 'names an unknown nested key by its full path',
        input: { drinkId: 'x', limits: { ordersPerCode: 1, extra: true } },
        expected: { field: 'limits.extra', message: 'limits.extra: unknown field' },
      },
      {
        name: 'names the body when the whole value is wrong',
        input: 'not an object',
        expected: {
          field: '(body)',
          message: '(body): Invalid input: expected object, received string',
        },
      },
    ].forEach((c) => {
      it(c.name, () => {
        const result = schema.safeParse(c.input);
        expect(result.success).to.equal(false);
        if (!result.success) expect(describeZodError(result.error)).to.deep.equal(c.expected);
      });
    });

    it('falls back to the body for an error without issues', () => {
      expect(describeZodError(new z.ZodError([]))).to.deep.equal({
        field: '(body)',
        message: 'invalid input',
      });
    });
  });
});
