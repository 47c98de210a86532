import path from 'node:path';

/** The part of a CloudFormation template the local stack reads. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  /** Physical id per logical id (what `Ref` returns), e.g. a table name. */
  refs: Record<string, string>;
  /** `Fn::GetAtt` values per `logicalId.attribute`, e.g. a table's `Arn`. */
  attributes: Record<string, string>;
}

export const LOCAL_ACCOUNT_ID = '000000000000';

/** Where `serverless package` writes a service's template. */
export const packagedTemplateFile = (serviceDir: string): string =>
  path.join(serviceDir, '.serverless', 'cloudformation-template-update-stack.json');

const pseudo = (name: string, ctx: ResolveContext): string | undefined =>
  ({
    'AWS::Region': ctx.region,
    'AWS::AccountId': ctx.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': undefined,
  })[name];

const refOf = (name: string, ctx: ResolveContext): string => {
  if (name.startsWith('AWS::')) {
    const value = pseudo(name, ctx);
    if (value === undefined) throw new Error(`cannot resolve pseudo parameter ${name} locally`);
    return value;
  }
  if (!Object.hasOwn(ctx.refs, name)) throw new Error(`cannot resolve Ref ${name} locally`);
  return String(ctx.refs[name]);
};

const getAtt = (logicalId: string, attribute: string, ctx: ResolveContext): string => {
  const key = `${logicalId}.${attribute}`;
  const value = Object.hasOwn(ctx.attributes, key) ? ctx.attributes[key] : undefined;
  if (value === undefined)
    throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
  return value;
};

const sub = (template: string, vars: Record<string, unknown>, ctx: ResolveContext): string =>
  template.replace(/\$\{(!?)([^}]+)\}/g, (_, bang: string, name: string) => {
    // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
    if (bang) return `\${${name}}`;
    if (Object.hasOwn(vars, name)) return String(resolve(vars[name], ctx));
    const [logicalId, attribute] = name.split('.');
    if (attribute !== undefined && logicalId !== undefined)
      return getAtt(logicalId, attribute, ctx);
    return refOf(name, ctx);
  });

/**
 * Resolves the intrinsic functions `serverless package` leaves in a template (`Ref`,
 * `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`) to local names and ARNs.
 */
export const resolve = (value: unknown, ctx: ResolveContext): unknown => {
  if (Array.isArray(value)) return value.map((v) => resolve(v, ctx));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [key, arg] = first;
    switch (key) {
      case 'Ref':
        return refOf(String(arg), ctx);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
        return getAtt(String(logicalId), String(attribute), ctx);
      }
      case 'Fn::Sub':
        return Array.isArray(arg)
          ? sub(String(arg[0]), (arg[1] ?? {}) as Record<string, unknown>, ctx)
          : sub(String(arg), {}, ctx);
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts, ctx) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = resolve(list, ctx) as unknown[];
        const at = Number(resolve(index, ctx));
        if (!Number.isInteger(at) || at < 0 || at >= items.length) {
          throw new Error(`Fn::Select index ${at} is out of range (${items.length} items)`);
        }
        return items[at];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return String(resolve(text, ctx)).split(separator);
      }
      default:
        if (key.startsWith('Fn::')) throw new Error(`${key} is not supported by the local stack`);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, ctx)]));
};

/** Resources of one type, with their logical ids. */
export const resourcesOfType = (template: Template, type: string) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({ logicalId, properties: resource.Properties ?? {} }));
