import { type ResolveContext, resolve, resourcesOfType, type Template } from '../cloudformation';
import { LOCAL_CLIENT_ID } from '../identity';
import { type OfflineService, startOffline } from '../offline';
import { LOCAL_REGION } from '../services';
import type { Endpoints } from '../stack';
import { localCredentials } from '../util';
import type { LocalAws, StackParts } from './aws';
import type { PackagedService } from './package';
import { localUrl, type ServicePorts, type StackPlan } from './plan';

/** The AWS SDK settings of every handler: the local region, credentials and endpoints. */
const sdkEnvironment = async (plan: StackPlan, aws: LocalAws) => ({
  AWS_REGION: LOCAL_REGION,
  AWS_DEFAULT_REGION: LOCAL_REGION,
  AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: aws.called.dynamodb,
  AWS_ENDPOINT_URL_EVENTBRIDGE: aws.called.events,
  AWS_ENDPOINT_URL_SQS: aws.called.sqs,
  AWS_ENDPOINT_URL_SFN: await plan.via('sfn', aws.sfn.endpoint),
  // The SDK's notice that its 2027 releases need Node 22 is known (README); keep logs readable.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

/** The endpoints of the local AWS (`endpoints.json`); the services' are added as they come up. */
const awsEndpoints = (aws: LocalAws): Endpoints => ({
  identity: {
    issuer: aws.issuer.issuer,
    jwks: aws.issuer.jwksUri,
    token: `${aws.issuer.issuer}/dev/token`,
    clientId: LOCAL_CLIENT_ID,
  },
  aws: {
    region: LOCAL_REGION,
    dynamodb: aws.dynamodb.endpoint,
    events: aws.eventBridge.endpoint,
    sqs: aws.sqs.endpoint,
    sfn: aws.sfn.endpoint,
  },
});

/** A function's environment variables resolved (intrinsics → local names and ARNs) where they can be. */
const resolvedVariables = (properties: Record<string, unknown>, ctx: ResolveContext) => {
  const variables = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables ?? {}) as Record<string, unknown>;
  const resolved: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    try {
      resolved[key] = String(resolve(value, ctx));
    } catch {
      // left to serverless offline as it is
    }
  }
  return resolved;
};

/**
 * Function name → its environment resolved from the template, for the
 * `@espresso/serverless-plugins/local-environment` plugin under serverless offline.
 */
const localEnvironment = ({ template, ctx }: PackagedService) =>
  Object.fromEntries(
    resourcesOfType(template, 'AWS::Lambda::Function').map(({ properties }) => [
      String(properties.FunctionName),
      resolvedVariables(properties, ctx),
    ]),
  );

/** The protocols of a template's APIs (HTTP, WEBSOCKET). */
const apiProtocols = (template: Template) =>
  resourcesOfType(template, 'AWS::ApiGatewayV2::Api').map(({ properties }) =>
    String(properties.ProtocolType),
  );

/** One service under serverless offline, its SDK at the local endpoints, its authorizer at the issuer. */
const startServiceOffline = async (
  plan: StackPlan,
  packaged: PackagedService,
  aws: LocalAws,
  sdkEnv: Record<string, string>,
): Promise<OfflineService> => {
  const ports = plan.servicePorts[packaged.name] as ServicePorts;
  const protocols = apiProtocols(packaged.template);
  return startOffline({
    name: packaged.name,
    dir: packaged.service.dir,
    stage: plan.stage,
    ...ports,
    params: { ...packaged.params, issuerUrl: aws.issuer.issuer, jwtAudience: LOCAL_CLIENT_ID },
    awsEnv: {
      ...sdkEnv,
      // PostToConnection goes to offline's WebSocket server (`/@connections/{id}`).
      ...(ports.websocketPort
        ? {
            AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI: await plan.via(
              'websocket',
              localUrl(ports.websocketPort),
            ),
          }
        : {}),
      ESPRESSO_LOCAL_ENVIRONMENT: JSON.stringify(localEnvironment(packaged)),
    },
    log: plan.log,
    serves: { http: protocols.includes('HTTP'), websocket: protocols.includes('WEBSOCKET') },
  });
};

/** Puts a started service's URL where `endpoints.json` has it. */
const addServiceEndpoint = (
  endpoints: Endpoints,
  offline: OfflineService,
  websocketPort: number | undefined,
) => {
  const { name, url } = offline;
  if (name === 'publisher') {
    endpoints.publisher = { ws: `ws://127.0.0.1:${websocketPort}`, http: url };
  } else if (name === 'config' || name === 'orders' || name === 'metrics') {
    endpoints[name] = url;
  } else {
    endpoints.services = { ...endpoints.services, [name]: url };
  }
};

/**
 * Every service under serverless offline, all at once: each is mostly waiting on its own esbuild
 * and worker start-up. Every one is awaited (and registered for stop) before a failure is
 * reported. Resolves with the stack's endpoints.
 */
export const startServices = async ({
  plan,
  packaged,
  aws,
  stoppers,
}: StackParts): Promise<Endpoints> => {
  const sdkEnv = await sdkEnvironment(plan, aws);
  const endpoints = awsEndpoints(aws);
  const started = await Promise.allSettled(
    packaged.map(async (service) => {
      const offline = await startServiceOffline(plan, service, aws, sdkEnv);
      stoppers.add(offline.stop);
      addServiceEndpoint(endpoints, offline, plan.servicePorts[service.name]?.websocketPort);
    }),
  );
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return endpoints;
};
