/**
 * EventBridge event patterns: validation and matching, as the AWS EventBridge User Guide describes
 * them ("Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event
 * patterns", "Comparison operators for use in event patterns") and as aws/event-ruler, the
 * open-source engine behind them, implements the details the guide leaves out (error wording,
 * numeric limits, CIDR and wildcard parsing, array consistency).
 *
 * Semantics, in short:
 * - A pattern is a JSON object. Every field in it must match (AND); a field is either a nested
 *   object or an array of alternatives (OR). `$or` (at any level) takes two or more sub-patterns
 *   and matches when any of them does.
 * - Matching works on leaf values (strings, numbers, booleans, null). An event array stands for
 *   its elements: a field matches when any element does; arrays of objects are walked element by
 *   element, and the fields of one sub-pattern must all match inside the same element.
 * - A field whose event value is an object, an empty array or absent has no leaf value: only
 *   `{"exists": false}` matches it ("exists matching only works on leaf nodes").
 * - Exact values are typed: the string "5" is not the number 5; numbers compare numerically
 *   (AWS matches 300 with 300.0).
 */

const ERROR_PREFIX = 'Event pattern is not valid. Reason: ';

/** The error EventBridge answers `InvalidEventPatternException` with, worded as AWS words it. */
export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternException';
  constructor(readonly reason: string) {
    super(`${ERROR_PREFIX}${reason}`);
  }
}

/** A compiled pattern: tells whether an event (the full envelope) matches. */
export type EventPatternMatcher = (event: unknown) => boolean;

type Leaf = string | number | boolean | null;
type JsonObject = Record<string, unknown>;
type ValueTest = (value: Leaf) => boolean;

/** A leaf rule sees all leaf values found at its field (none when the field is absent). */
type LeafMatcher = (values: readonly Leaf[]) => boolean;

interface ObjectRule {
  fields: FieldRule[];
  /** Each group is one `$or`: at least one of its branches must match. */
  orGroups: ObjectRule[][];
}

type FieldRule =
  | { key: string; kind: 'leaf'; alternatives: LeafMatcher[] }
  | { key: string; kind: 'object'; rule: ObjectRule };

const OR = '$or';

/** Field names event-ruler refuses inside `$or` (operators and names it keeps for itself). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Numeric matching is limited to -5.0e9 … +5.0e9 with six digits after the decimal point. */
const NUMERIC_LIMIT = 5e9;
const MAX_DECIMALS = 6;

const fail = (reason: string): never => {
  throw new InvalidEventPatternError(reason);
};

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** How a JSON token reads in event-ruler's messages. */
const tokenText = (value: unknown): string => {
  if (value === undefined) return ']';
  if (Array.isArray(value)) return '[';
  if (isObject(value)) return '{';
  return String(value);
};

const decimals = (value: number): number => {
  const [mantissa = '', exponent = '0'] = value.toString().toLowerCase().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  return Math.max(0, fraction.length - Number(exponent));
};

/** A number usable in numeric matching (event-ruler's ComparableNumber). */
const comparable = (value: number): number => {
  if (decimals(value) > MAX_DECIMALS) fail('Only values upto 6 decimals are supported');
  if (value < -NUMERIC_LIMIT || value > NUMERIC_LIMIT) {
    fail('Value must be between -5.0E9 and 5.0E9, inclusive');
  }
  return value;
};

const inNumericRange = (value: number): boolean =>
  value >= -NUMERIC_LIMIT && value <= NUMERIC_LIMIT;

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR blocks

interface Ip {
  bits: 32 | 128;
  value: bigint;
}

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

const looksLikeIp = (text: string): boolean => IPV4_SHAPE.test(text) || IPV6_SHAPE.test(text);

const parseIpv4 = (text: string): Ip | undefined => {
  let value = 0n;
  for (const part of text.split('.')) {
    const octet = Number(part);
    if (!Number.isInteger(octet) || octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return { bits: 32, value };
};

const parseIpv6 = (text: string): Ip | undefined => {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined): string[] | undefined =>
    half === undefined || half === '' ? [] : half.split(':');
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  let value = 0n;
  for (const group of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return { bits: 128, value };
};

const parseIp = (text: string): Ip | undefined => {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
};

/** The inclusive range a `cidr` pattern covers, with event-ruler's checks and messages. */
const parseCidr = (cidr: string): ValueTest => {
  const parts = cidr.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // as Java's split
  if (parts.length !== 2) return fail("Malformed CIDR, one '/' required");
  const [address = '', mask = ''] = parts;
  if (!/^[+-]?[0-9]+$/.test(mask) || Math.abs(Number(mask)) > 2 ** 31 - 1) {
    return fail('Malformed CIDR, mask bits must be an integer');
  }
  const maskBits = Number(mask);
  if (maskBits < 0) return fail('Malformed CIDR, mask bits must not be negative');
  if (!looksLikeIp(address)) return fail(`Nonstandard IP address: ${address}`);
  const ip = parseIp(address) ?? fail(`Invalid IP address: ${address}`);
  if (ip.bits === 32 && maskBits > 31) return fail('IPv4 mask bits must be < 32');
  if (ip.bits === 128 && maskBits > 127) return fail('IPv6 mask bits must be < 128');
  const hostBits = BigInt(ip.bits - maskBits);
  const bottom = ip.value;
  const top = ip.value | ((1n << hostBits) - 1n);
  return (value) => {
    if (typeof value !== 'string') return false;
    const candidate = parseIp(value);
    return (
      candidate !== undefined &&
      candidate.bits === ip.bits &&
      candidate.value >= bottom &&
      candidate.value <= top
    );
  };
};

// ---------------------------------------------------------------------------------------------
// Leaf value tests

const exactTest = (expected: Leaf): ValueTest => {
  if (typeof expected === 'string' && looksLikeIp(expected)) {
    // event-ruler compares IP literals as addresses, so "2001:db8::1" equals its long form.
    const ip = parseIp(expected);
    if (ip) {
      return (value) => {
        if (value === expected) return true;
        const candidate = typeof value === 'string' ? parseIp(value) : undefined;
        return candidate?.bits === ip.bits && candidate.value === ip.value;
      };
    }
  }
  return (value) => value === expected;
};

const lower = (text: string): string => text.toLowerCase();

const stringTest =
  (test: (value: string) => boolean): ValueTest =>
  (value) =>
    typeof value === 'string' && test(value);

/**
 * Wildcard text to a regular expression: `*` is zero or more characters, `\*` a literal
 * asterisk, `\\` a literal backslash. Positions in messages count UTF-8 bytes of the value as
 * event-ruler sees it, quoted (hence the leading 1).
 */
const utf8 = new TextEncoder();

const parseWildcard = (text: string): RegExp => {
  let source = '';
  let position = 1;
  const chars = Array.from(text);
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index] ?? '';
    if (char === '*') {
      if (chars[index + 1] === '*') fail(`Consecutive wildcard characters at pos ${position}`);
      source += '[\\s\\S]*';
    } else if (char === '\\') {
      const next = chars[index + 1];
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${position}`);
      source += `\\${next}`;
      index++;
      position++;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    position += utf8.encode(char).length;
  }
  return new RegExp(`^${source}$`, 'u');
};

// ---------------------------------------------------------------------------------------------
// Match expressions (the objects inside a leaf array)

const onlyOneKey = (
  expression: JsonObject,
  message = 'Only one key allowed in match expression',
) => {
  if (Object.keys(expression).length > 1) fail(message);
};

const TOO_MANY_NUMERIC = 'Too many elements in numeric expression';

type Comparison = (value: number) => boolean;

const numericOperand = (operator: string, operand: unknown): number =>
  isNumber(operand)
    ? operand
    : fail(`Value of ${operator === '=' ? 'equals' : operator} must be numeric`);

const compileNumeric = (terms: unknown): ValueTest => {
  if (!Array.isArray(terms)) return fail('Value of numeric must be an array.');
  const [operator, operand, ...rest] = terms as unknown[];
  if (typeof operator !== 'string')
    return fail(`Invalid member in numeric match: ${tokenText(operator)}`);
  const comparisons: Comparison[] = [];
  switch (operator) {
    case '=': {
      const n = numericOperand(operator, operand);
      if (rest.length > 0) fail(TOO_MANY_NUMERIC);
      comparable(n);
      comparisons.push((value) => value === n);
      break;
    }
    case '<':
    case '<=': {
      const n = numericOperand(operator, operand);
      if (rest.length > 0) fail(TOO_MANY_NUMERIC);
      comparable(n);
      comparisons.push(operator === '<' ? (value) => value < n : (value) => value <= n);
      break;
    }
    case '>':
    case '>=': {
      const bottom = numericOperand(operator, operand);
      comparisons.push(operator === '>' ? (value) => value > bottom : (value) => value >= bottom);
      if (rest.length === 0) {
        comparable(bottom);
        break;
      }
      const [topOperator, topOperand, ...extra] = rest;
      if (typeof topOperator !== 'string') {
        return fail(`Bad value in numeric range: ${tokenText(topOperator)}`);
      }
      if (topOperator !== '<' && topOperator !== '<=') {
        return fail(`Bad numeric range operator: ${topOperator}`);
      }
      const top = numericOperand(topOperator, topOperand);
      if (extra.length > 0) fail('Too many terms in numeric range expression');
      comparable(bottom);
      comparable(top);
      if (bottom >= top) fail('Bottom must be less than top');
      comparisons.push(topOperator === '<' ? (value) => value < top : (value) => value <= top);
      break;
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator}`);
  }
  return (value) =>
    isNumber(value) && inNumericRange(value) && comparisons.every((compare) => compare(value));
};

/** `prefix` / `suffix`: a string, or `{ "equals-ignore-case": string }`. */
const compileAffix = (kind: 'prefix' | 'suffix', value: unknown): ValueTest => {
  const label = kind === 'prefix' ? 'Prefix' : 'Suffix';
  const ends = (text: string, affix: string) =>
    kind === 'prefix' ? text.startsWith(affix) : text.endsWith(affix);
  if (isObject(value)) {
    const [inner] = Object.keys(value);
    if (inner === undefined) return fail(`${label} expression name not found`);
    if (inner !== 'equals-ignore-case') return fail(`Unsupported ${kind} pattern: ${inner}`);
    const affix = value[inner];
    if (typeof affix !== 'string') return fail('equals-ignore-case match pattern must be a string');
    onlyOneKey(value);
    return stringTest((text) => ends(lower(text), lower(affix)));
  }
  if (typeof value !== 'string') return fail(`${kind} match pattern must be a string`);
  return stringTest((text) => ends(text, value));
};

const ANYTHING_BUT_KINDS = ['equals-ignore-case', 'prefix', 'suffix', 'wildcard'] as const;
type AnythingButKind = (typeof ANYTHING_BUT_KINDS)[number];

const isAnythingButKind = (name: string): name is AnythingButKind =>
  (ANYTHING_BUT_KINDS as readonly string[]).includes(name);

const anythingButTypeError = (kind: AnythingButKind): string => {
  if (kind === 'equals-ignore-case') {
    return 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
  }
  if (kind === 'wildcard') return 'wildcard match pattern must be a string';
  return 'prefix/suffix match pattern must be a string';
};

/** `anything-but` over a plain value or list: all strings or all numbers. */
const compilePlainAnythingBut = (value: string | number | unknown[]): ValueTest => {
  const items = Array.isArray(value) ? value : [value];
  const strings = new Set<string>();
  const numbers: number[] = [];
  for (const item of items) {
    if (typeof item === 'string') strings.add(item);
    else if (isNumber(item)) numbers.push(comparable(item));
    else fail('Inside anything but list, start|null|boolean is not supported.');
  }
  const hasStrings = strings.size > 0;
  const hasNumbers = numbers.length > 0;
  if (hasStrings === hasNumbers) {
    fail(
      'Inside anything but list, either all values are number or string, mixed type is not supported',
    );
  }
  // Only a value of the list's own type can be excluded; anything else (null, true, "100" for
  // a numeric list) matches.
  return (candidate) =>
    typeof candidate === 'string'
      ? !strings.has(candidate)
      : !(isNumber(candidate) && numbers.includes(candidate));
};

const compileAnythingButSet = (kind: AnythingButKind, value: string | unknown[]): ValueTest => {
  const items = Array.isArray(value) ? value : [value];
  const texts: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return fail(anythingButTypeError(kind));
    if ((kind === 'prefix' || kind === 'suffix') && item === '') {
      return fail('Null prefix/suffix not allowed');
    }
    texts.push(item);
  }
  let excluded: (text: string) => boolean;
  switch (kind) {
    case 'equals-ignore-case': {
      const lowered = new Set(texts.map(lower));
      excluded = (text) => lowered.has(lower(text));
      break;
    }
    case 'prefix':
      excluded = (text) => texts.some((prefix) => text.startsWith(prefix));
      break;
    case 'suffix':
      excluded = (text) => texts.some((suffix) => text.endsWith(suffix));
      break;
    case 'wildcard': {
      const patterns = texts.map(parseWildcard);
      excluded = (text) => patterns.some((pattern) => pattern.test(text));
      break;
    }
  }
  // Values that are not strings cannot be excluded by a string test, so they match.
  return (candidate) => typeof candidate !== 'string' || !excluded(candidate);
};

const compileAnythingBut = (expression: unknown): ValueTest => {
  let kind: AnythingButKind | undefined;
  let value = expression;
  if (isObject(expression)) {
    const [inner] = Object.keys(expression);
    if (inner === undefined) return fail('Anything-But expression name not found');
    if (!isAnythingButKind(inner)) return fail(`Unsupported anything-but pattern: ${inner}`);
    kind = inner;
    value = expression[inner];
  }
  if (!Array.isArray(value) && typeof value !== 'string' && !isNumber(value)) {
    return fail('Value of anything-but must be an array or single string/number value.');
  }
  if (kind === undefined) return compilePlainAnythingBut(value);
  if (isNumber(value)) return fail(anythingButTypeError(kind));
  const test = compileAnythingButSet(kind, value);
  if (isObject(expression)) onlyOneKey(expression, TOO_MANY_NUMERIC);
  return test;
};

const compileMatchExpression = (expression: JsonObject): LeafMatcher => {
  const [operator] = Object.keys(expression);
  if (operator === undefined) return fail('Match expression name not found');
  const value = expression[operator];
  const some =
    (test: ValueTest): LeafMatcher =>
    (values) =>
      values.some(test);
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const test = compileAffix(operator, value);
      onlyOneKey(expression);
      return some(test);
    }
    case 'equals-ignore-case': {
      if (typeof value !== 'string')
        return fail('equals-ignore-case match pattern must be a string');
      onlyOneKey(expression);
      const expected = lower(value);
      return some(stringTest((text) => lower(text) === expected));
    }
    case 'wildcard': {
      if (typeof value !== 'string') return fail('wildcard match pattern must be a string');
      const pattern = parseWildcard(value);
      onlyOneKey(expression);
      return some(stringTest((text) => pattern.test(text)));
    }
    case 'numeric': {
      const test = compileNumeric(value);
      onlyOneKey(expression, TOO_MANY_NUMERIC);
      return some(test);
    }
    case 'anything-but': {
      const test = compileAnythingBut(value);
      onlyOneKey(expression, TOO_MANY_NUMERIC);
      return some(test);
    }
    case 'exists': {
      if (typeof value !== 'boolean')
        return fail('exists match pattern must be either true or false.');
      onlyOneKey(expression);
      return value ? (values) => values.length > 0 : (values) => values.length === 0;
    }
    case 'cidr': {
      // event-ruler reports a non-string CIDR with the prefix wording.
      if (typeof value !== 'string') return fail('prefix match pattern must be a string');
      const test = parseCidr(value);
      onlyOneKey(expression);
      return some(test);
    }
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
};

const compileLeafArray = (alternatives: unknown[]): LeafMatcher[] => {
  const matchers = alternatives.map((alternative): LeafMatcher => {
    if (isObject(alternative)) return compileMatchExpression(alternative);
    if (
      alternative === null ||
      typeof alternative === 'string' ||
      typeof alternative === 'boolean' ||
      isNumber(alternative)
    ) {
      const test = exactTest(alternative);
      return (values) => values.some(test);
    }
    return fail('Match value must be String, number, true, false, or null');
  });
  if (matchers.length === 0) fail('Empty arrays are not allowed');
  return matchers;
};

// ---------------------------------------------------------------------------------------------
// Objects and $or

const compileOr = (branches: unknown): ObjectRule[] => {
  if (!Array.isArray(branches)) return fail('It must be an Array followed with $or.');
  const rules = branches.map((branch) =>
    isObject(branch)
      ? compileObject(branch, true)
      : fail('Only JSON object is allowed in array of $or relationship.'),
  );
  if (rules.length < 2) fail('There must have at least 2 Objects in $or relationship.');
  return rules;
};

const compileObject = (pattern: JsonObject, insideOr: boolean): ObjectRule => {
  const rule: ObjectRule = { fields: [], orGroups: [] };
  const keys = Object.keys(pattern);
  if (keys.length === 0) fail('Empty objects are not allowed');
  for (const key of keys) {
    const value = pattern[key];
    if (key === OR) {
      rule.orGroups.push(compileOr(value));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (isObject(value)) {
      rule.fields.push({ key, kind: 'object', rule: compileObject(value, insideOr) });
    } else if (Array.isArray(value)) {
      rule.fields.push({ key, kind: 'leaf', alternatives: compileLeafArray(value) });
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return rule;
};

// ---------------------------------------------------------------------------------------------
// Matching

const isLeaf = (value: unknown): value is Leaf =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  typeof value === 'number';

/** The leaf values an event field holds: arrays (nested too) stand for their elements. */
const leafValues = (value: unknown, into: Leaf[] = []): Leaf[] => {
  if (Array.isArray(value)) for (const item of value) leafValues(item, into);
  else if (isLeaf(value)) into.push(value);
  return into;
};

/** The objects a nested pattern is matched in: one, or each object element of an array. */
const objectCandidates = (value: unknown): JsonObject[] => {
  if (isObject(value)) return [value];
  const objects: JsonObject[] = [];
  const collect = (item: unknown): void => {
    if (Array.isArray(item)) item.forEach(collect);
    else if (isObject(item)) objects.push(item);
  };
  collect(value);
  // Nothing to descend into: the fields below are absent (only `exists: false` can match).
  return objects.length > 0 ? objects : [{}];
};

const fieldValue = (node: JsonObject, key: string): unknown =>
  Object.hasOwn(node, key) ? node[key] : undefined;

const matchObject = (rule: ObjectRule, node: JsonObject): boolean =>
  rule.fields.every((field) => {
    const value = fieldValue(node, field.key);
    if (field.kind === 'leaf') {
      const values = leafValues(value);
      return field.alternatives.some((matches) => matches(values));
    }
    return objectCandidates(value).some((candidate) => matchObject(field.rule, candidate));
  }) && rule.orGroups.every((branches) => branches.some((branch) => matchObject(branch, node)));

// ---------------------------------------------------------------------------------------------
// API

/**
 * Validates a parsed event pattern and compiles it into a matcher, throwing
 * `InvalidEventPatternError` (AWS's `InvalidEventPatternException` wording) when EventBridge
 * would refuse it. Compile once per rule and call the matcher for every event.
 */
export const compilePattern = (pattern: unknown): EventPatternMatcher => {
  if (!isObject(pattern)) return fail('Filter is not an object');
  const rule = compileObject(pattern, false);
  return (event) => isObject(event) && matchObject(rule, event);
};

/** Throws `InvalidEventPatternError` when EventBridge would refuse the pattern. */
export const validatePattern = (pattern: unknown): void => {
  compilePattern(pattern);
};

/**
 * Whether `event` (the full envelope: version, id, detail-type, source, account, time, region,
 * resources, detail) matches `pattern` (parsed JSON), as EventBridge's TestEventPattern answers.
 * Throws `InvalidEventPatternError` for a pattern EventBridge would refuse.
 */
export const matchesPattern = (pattern: unknown, event: unknown): boolean =>
  compilePattern(pattern)(event);
