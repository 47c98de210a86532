import { type ResolveContext, resolve, type Template } from './cloudformation';

const physicalName = (
  properties: Record<string, unknown>,
  key: string,
  fallback: string,
  ctx: ResolveContext,
): string => {
  const value = properties[key];
  return value === undefined ? fallback : String(resolve(value, ctx));
};

/**
 * What `Ref` and `Fn::GetAtt` mean locally for the resources of all the services' templates:
 * the physical names the templates give and ARNs in the local account and region.
 */
export const buildResolveContext = (
  templates: Template[],
  region: string,
  accountId: string,
): ResolveContext => {
  const ctx: ResolveContext = { region, accountId, refs: {}, attributes: {} };
  for (const template of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const properties = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::DynamoDB::Table': {
          const name = physicalName(properties, 'TableName', logicalId, ctx);
          const arn = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Arn`] = arn;
          ctx.attributes[`${logicalId}.StreamArn`] = `${arn}/stream/local`;
          break;
        }
        case 'AWS::Events::EventBus': {
          const name = physicalName(properties, 'Name', logicalId, ctx);
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Name`] = name;
          ctx.attributes[`${logicalId}.Arn`] =
            `arn:aws:events:${region}:${accountId}:event-bus/${name}`;
          break;
        }
        case 'AWS::Lambda::Function': {
          const name = physicalName(properties, 'FunctionName', logicalId, ctx);
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Arn`] =
            `arn:aws:lambda:${region}:${accountId}:function:${name}`;
          break;
        }
        default:
          break;
      }
    }
  }
  return ctx;
};
