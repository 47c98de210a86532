/*
 * Compares two JSON Schemas of one event detail version (the committed snapshot and the schema
 * now) from a consumer's point of view: could a consumer built against one read what the other
 * allows? Additive optional fields and narrowing (fewer enum values, tighter bounds) are
 * compatible; removing, retyping or newly requiring a field, or widening what a field admits
 * (a new enum value, looser bounds), is breaking.
 */

export type JsonSchema = { [key: string]: unknown };

export interface SchemaChange {
  /** Dotted path of the field (`config.menu[].drinkId`); `(detail)` for the detail itself. */
  field: string;
  kind: 'removed' | 'retyped' | 'made required' | 'widened' | 'added optional';
  breaking: boolean;
  message: string;
}

const isSchema = (value: unknown): value is JsonSchema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const typeOf = (schema: JsonSchema): string => {
  if ('const' in schema) return `const ${JSON.stringify(schema.const)}`;
  if (Array.isArray(schema.type)) return schema.type.join('|');
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.anyOf)) return 'anyOf';
  if (Array.isArray(schema.oneOf)) return 'oneOf';
  return 'any';
};

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Bounds whose lower value admits more (a consumer with the old bound rejects the new values). */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems'] as const;
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'] as const;

const compare = (before: JsonSchema, after: JsonSchema, path: string): SchemaChange[] => {
  const field = path || '(detail)';
  const changes: SchemaChange[] = [];
  const change = (kind: SchemaChange['kind'], breaking: boolean, message: string) =>
    changes.push({ field, kind, breaking, message });

  const was = typeOf(before);
  const now = typeOf(after);
  // An integer field that becomes a number admits more; a number that becomes an integer less.
  if (was !== now && !(was === 'number' && now === 'integer')) {
    change('retyped', true, `retyped from ${was} to ${now}`);
    return changes;
  }

  if (Array.isArray(before.enum) && Array.isArray(after.enum)) {
    const added = after.enum.filter((v) => !(before.enum as unknown[]).includes(v));
    if (added.length > 0) {
      change(
        'widened',
        true,
        `admits new values ${added.map((v) => JSON.stringify(v)).join(', ')}`,
      );
    }
  } else if (Array.isArray(before.enum) !== Array.isArray(after.enum)) {
    if (Array.isArray(before.enum)) change('widened', true, 'is no longer limited to its values');
  }
  for (const key of ['pattern', 'format'] as const) {
    if (before[key] !== after[key] && after[key] !== undefined) {
      change('retyped', true, `${key} changed`);
    } else if (before[key] !== undefined && after[key] === undefined) {
      change('widened', true, `${key} dropped`);
    }
  }
  for (const key of LOWER_BOUNDS) {
    const [b, a] = [before[key], after[key]];
    if (typeof b === 'number' && (typeof a !== 'number' || a < b)) {
      change('widened', true, `${key} loosened from ${b} to ${a ?? 'none'}`);
    }
  }
  for (const key of UPPER_BOUNDS) {
    const [b, a] = [before[key], after[key]];
    if (typeof b === 'number' && (typeof a !== 'number' || a > b)) {
      change('widened', true, `${key} loosened from ${b} to ${a ?? 'none'}`);
    }
  }

  if (now === 'object') {
    const props = (s: JsonSchema) => (isSchema(s.properties) ? s.properties : {});
    const required = (s: JsonSchema) =>
      new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const [beforeProps, afterProps] = [props(before), props(after)];
    const [beforeRequired, afterRequired] = [required(before), required(after)];
    for (const [key, schema] of Object.entries(beforeProps)) {
      const next = afterProps[key];
      if (!isSchema(next)) {
        changes.push({
          field: join(path, key),
          kind: 'removed',
          breaking: true,
          message: 'removed',
        });
      } else if (isSchema(schema)) {
        changes.push(...compare(schema, next, join(path, key)));
      }
    }
    for (const key of Object.keys(afterProps)) {
      if (afterRequired.has(key) && !beforeRequired.has(key)) {
        changes.push({
          field: join(path, key),
          kind: 'made required',
          breaking: true,
          message: key in beforeProps ? 'made required' : 'added as a required field',
        });
      } else if (!(key in beforeProps)) {
        changes.push({
          field: join(path, key),
          kind: 'added optional',
          breaking: false,
          message: 'added as an optional field',
        });
      }
    }
  }

  if (now === 'array' && isSchema(before.items) && isSchema(after.items)) {
    changes.push(...compare(before.items, after.items, `${path}[]`));
  }

  if ((now === 'anyOf' || now === 'oneOf') && JSON.stringify(before) !== JSON.stringify(after)) {
    change('retyped', true, `${now} alternatives changed`);
  }
  return changes;
};

/** Every difference between `before` and `after` that a consumer could notice. */
export const schemaChanges = (before: JsonSchema, after: JsonSchema): SchemaChange[] =>
  compare(before, after, '');

/** The fields (dotted paths, arrays as `[]`) a JSON Schema names. */
export const schemaFields = (schema: JsonSchema, path = ''): string[] => {
  const fields: string[] = [];
  if (isSchema(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      fields.push(join(path, key));
      if (isSchema(child)) fields.push(...schemaFields(child, join(path, key)));
    }
  }
  if (isSchema(schema.items)) fields.push(...schemaFields(schema.items, `${path}[]`));
  return fields;
};
