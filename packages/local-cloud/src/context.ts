import { type ResolveContext, resolve, type Template } from './cloudformation';
import { LOCAL_CLIENT_ID } from './identity';

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
  /** The local SQS endpoint: `Ref` of a queue is its URL there. */
  sqsEndpoint = 'http://127.0.0.1:4103',
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
        case 'AWS::SQS::Queue': {
          const name = physicalName(properties, 'QueueName', logicalId, ctx);
          const url = `${sqsEndpoint}/${accountId}/${name}`;
          ctx.refs[logicalId] = url;
          ctx.attributes[`${logicalId}.Arn`] = `arn:aws:sqs:${region}:${accountId}:${name}`;
          ctx.attributes[`${logicalId}.QueueName`] = name;
          ctx.attributes[`${logicalId}.QueueUrl`] = url;
          break;
        }
        case 'AWS::StepFunctions::StateMachine': {
          const name = physicalName(properties, 'StateMachineName', logicalId, ctx);
          const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
          ctx.refs[logicalId] = arn;
          ctx.attributes[`${logicalId}.Arn`] = arn;
          ctx.attributes[`${logicalId}.Name`] = name;
          break;
        }
        case 'AWS::Events::Rule': {
          const name = physicalName(properties, 'Name', logicalId, ctx);
          const bus = properties.EventBusName ? String(resolve(properties.EventBusName, ctx)) : '';
          const busName = bus.includes(':event-bus/') ? bus.split(':event-bus/')[1] : bus;
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Arn`] =
            `arn:aws:events:${region}:${accountId}:rule/${busName && busName !== 'default' ? `${busName}/` : ''}${name}`;
          break;
        }
        case 'AWS::ApiGatewayV2::Api':
          // An API id as AWS gives one (for outputs such as `HttpApiId` that other services'
          // dashboards and alarms name); the local URL is set by the stack (`ApiEndpoint`).
          ctx.refs[logicalId] = `local${logicalId.toLowerCase()}`;
          break;
        case 'AWS::Cognito::UserPool': {
          // Locally the pool is the local issuer (identity.ts): tokens carry its issuer URL.
          const id = `${region}_local`;
          ctx.refs[logicalId] = id;
          ctx.attributes[`${logicalId}.Arn`] =
            `arn:aws:cognito-idp:${region}:${accountId}:userpool/${id}`;
          ctx.attributes[`${logicalId}.ProviderName`] = `cognito-idp.${region}.amazonaws.com/${id}`;
          break;
        }
        case 'AWS::Cognito::UserPoolClient':
          ctx.refs[logicalId] = LOCAL_CLIENT_ID;
          break;
        case 'AWS::IAM::Role': {
          const name = physicalName(properties, 'RoleName', logicalId, ctx);
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Arn`] = `arn:aws:iam::${accountId}:role/${name}`;
          break;
        }
        case 'AWS::Logs::LogGroup': {
          const name = physicalName(properties, 'LogGroupName', logicalId, ctx);
          ctx.refs[logicalId] = name;
          ctx.attributes[`${logicalId}.Arn`] =
            `arn:aws:logs:${region}:${accountId}:log-group:${name}:*`;
          break;
        }
        default:
          break;
      }
    }
  }
  return ctx;
};
