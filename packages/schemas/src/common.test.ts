import { expect } from 'chai';
import { describe, it } from 'mocha';
import type * as z from 'zod';
import { DrinkIdSchema, IsoDateTimeSchema, label, ShopIdSchema } from './common';
import { describeZodError } from './errors';

/** `valid`, or the message of the first issue (which starts with the field it names). */
const outcome = (schema: z.ZodType, input: unknown): string => {
  const result = schema.safeParse(input);
  return result.success ? 'valid' : describeZodError(result.error).message;
};

describe('common', () => {
  const slugs = [
    { name: 'ShopIdSchema', schema: ShopIdSchema, what: 'shopId' },
    { name: 'DrinkIdSchema', schema: DrinkIdSchema, what: 'drinkId' },
  ];
  for (const { name, schema, what } of slugs) {
    describe(name, () => {
      [
        { name: 'accepts a single letter', input: 'a', expected: 'valid' },
        {
          name: 'accepts lower-case letters, digits and inner dashes',
          input: 'cafe-2-go',
          expected: 'valid',
        },
        { name: 'accepts 40 characters', input: 'a'.repeat(40), expected: 'valid' },
        {
          name: 'rejects an empty string',
          input: '',
          expected: `(body): ${what} must not be empty`,
        },
        {
          name: 'rejects 41 characters',
          input: 'a'.repeat(41),
          expected: `(body): ${what} must be at most 40 characters`,
        },
        {
          name: 'rejects upper-case letters',
          input: 'Cafe',
          expected: `(body): ${what} must be lower-case letters, digits and inner dashes`,
        },
        {
          name: 'rejects a leading dash',
          input: '-cafe',
          expected: `(body): ${what} must be lower-case letters, digits and inner dashes`,
        },
        {
          name: 'rejects a trailing dash',
          input: 'cafe-',
          expected: `(body): ${what} must be lower-case letters, digits and inner dashes`,
        },
        {
          name: 'rejects an underscore',
          input: 'cafe_1',
          expected: `(body): ${what} must be lower-case letters, digits and inner dashes`,
        },
        {
          name: 'rejects a key separator',
          input: 'cafe#1',
          expected: `(body): ${what} must be lower-case letters, digits and inner dashes`,
        },
        { name: 'rejects a number', input: 12, expected: `(body): ${what} must be a string` },
      ].forEach((c) => {
        it(c.name, () => {
          expect(outcome(schema, c.input)).to.equal(c.expected);
        });
      });
    });
  }

  describe('IsoDateTimeSchema', () => {
    [
      {
        name: 'accepts what Date#toISOString writes',
        input: new Date(0).toISOString(),
        expected: true,
      },
      {
        name: 'accepts a UTC time with milliseconds',
        input: '2024-05-01T09:30:00.123Z',
        expected: true,
      },
      {
        name: 'rejects a time without milliseconds',
        input: '2024-05-01T09:30:00Z',
        expected: false,
      },
      { name: 'rejects microseconds', input: '2024-05-01T09:30:00.123456Z', expected: false },
      {
        name: 'rejects an offset other than Z',
        input: '2024-05-01T09:30:00.000+02:00',
        expected: false,
      },
      { name: 'rejects a date without a time', input: '2024-05-01', expected: false },
      { name: 'rejects an impossible month', input: '2024-13-01T09:30:00.000Z', expected: false },
      { name: 'rejects epoch milliseconds', input: 1714555800000, expected: false },
    ].forEach((c) => {
      it(c.name, () => {
        expect(IsoDateTimeSchema.safeParse(c.input).success).to.equal(c.expected);
      });
    });
  });

  describe('label', () => {
    const schema = label('name', 5);
    [
      { name: 'trims surrounding spaces', input: '  Flat ', expected: { ok: true, value: 'Flat' } },
      {
        name: 'counts the length after trimming',
        input: ' abcde ',
        expected: { ok: true, value: 'abcde' },
      },
      {
        name: 'rejects only spaces',
        input: '   ',
        expected: { ok: false, value: '(body): name must not be empty' },
      },
      {
        name: 'rejects more than the maximum',
        input: 'abcdef',
        expected: { ok: false, value: '(body): name must be at most 5 characters' },
      },
      {
        name: 'rejects a non-string with its name',
        input: null,
        expected: { ok: false, value: '(body): name must be a string' },
      },
    ].forEach((c) => {
      it(c.name, () => {
        const result = schema.safeParse(c.input);
        const actual = result.success
          ? { ok: true, value: result.data }
          : { ok: false, value: describeZodError(result.error).message };
        expect(actual).to.deep.equal(c.expected);
      });
    });
  });
});
