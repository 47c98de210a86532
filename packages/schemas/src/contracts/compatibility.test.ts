import { expect } from 'chai';
import { describe, it } from 'mocha';
import { type JsonSchema, schemaChanges, schemaFields } from './compatibility';

const object = (properties: Record<string, JsonSchema>, required: string[]): JsonSchema => ({
  type: 'object',
  properties,
  required,
});
const text: JsonSchema = { type: 'string', minLength: 1 };
const before = object(
  {
    shopId: text,
    reason: { type: 'string', enum: ['CLOSED', 'AT_CAPACITY'] },
    orderNumber: { type: 'integer', minimum: 1 },
    drinkId: text,
    menu: { type: 'array', items: object({ drinkId: text }, ['drinkId']) },
  },
  ['shopId', 'reason'],
);
const withProps = (
  props: Record<string, JsonSchema | undefined>,
  required = ['shopId', 'reason'],
) =>
  object(
    Object.fromEntries(
      Object.entries({ ...(before.properties as Record<string, JsonSchema>), ...props }).filter(
        (entry): entry is [string, JsonSchema] => entry[1] !== undefined,
      ),
    ),
    required,
  );

describe('contracts: schema compatibility', () => {
  [
    { name: 'finds no change in the same schema', after: before, expected: [] },
    {
      name: 'accepts an added optional field',
      after: withProps({ note: text }),
      expected: [['note', 'added optional', false]],
    },
    {
      name: 'accepts a narrower enum and a tighter bound',
      after: withProps({
        reason: { type: 'string', enum: ['CLOSED'] },
        orderNumber: { type: 'integer', minimum: 5 },
      }),
      expected: [],
    },
    {
      name: 'breaks on a removed field',
      after: withProps({ drinkId: undefined }),
      expected: [['drinkId', 'removed', true]],
    },
    {
      name: 'breaks on a retyped field',
      after: withProps({ orderNumber: { type: 'string' } }),
      expected: [['orderNumber', 'retyped', true]],
    },
    {
      name: 'breaks on an optional field made required',
      after: withProps({}, ['shopId', 'reason', 'drinkId']),
      expected: [['drinkId', 'made required', true]],
    },
    {
      name: 'breaks on a new required field',
      after: withProps({ note: text }, ['shopId', 'reason', 'note']),
      expected: [['note', 'made required', true]],
    },
    {
      name: 'breaks on an enum with a new value',
      after: withProps({ reason: { type: 'string', enum: ['CLOSED', 'AT_CAPACITY', 'HOLIDAY'] } }),
      expected: [['reason', 'widened', true]],
    },
    {
      name: 'breaks on a loosened bound',
      after: withProps({ orderNumber: { type: 'integer', minimum: 0 } }),
      expected: [['orderNumber', 'widened', true]],
    },
    {
      name: 'breaks on a field removed inside array items',
      after: withProps({ menu: { type: 'array', items: object({}, []) } }),
      expected: [['menu[].drinkId', 'removed', true]],
    },
  ].forEach(({ name, after, expected }) => {
    it(name, () => {
      expect(schemaChanges(before, after).map((c) => [c.field, c.kind, c.breaking])).to.deep.equal(
        expected,
      );
    });
  });

  it('lists every field a schema names, through objects and arrays', () => {
    expect(schemaFields(before)).to.deep.equal([
      'shopId',
      'reason',
      'orderNumber',
      'drinkId',
      'menu',
      'menu[].drinkId',
    ]);
  });
});
