import { LOCAL_ACCOUNT_ID, type ResolveContext, type Template } from '../cloudformation';
import {
  afterParamSources,
  type ComposeService,
  localOutputs,
  resolveComposeParams,
} from '../compose';
import { buildResolveContext } from '../context';
import { LOCAL_REGION, packageService } from '../services';
import { AWS_PORTS, localUrl, type ServicePorts, type StackPlan } from './plan';

/** A service packaged for the stack: its template, what its names mean locally, its params. */
export interface PackagedService {
  service: ComposeService;
  name: string;
  template: Template;
  ctx: ResolveContext;
  params: Record<string, string>;
}

/**
 * The params a service is packaged with. The issuer's URL carries the port the issuer got (a
 * free one for a test's stack), which would make every stack package its services again
 * (~11 s): the template is packaged with the default issuer URL instead. The issuer is only
 * read from the template by the JWT authorizer and environment values, and serverless offline
 * resolves both from the real `issuerUrl` param it is started with.
 */
const packagingParams = (params: Record<string, string>): Record<string, string> =>
  params.issuerUrl === undefined
    ? params
    : { ...params, issuerUrl: `http://127.0.0.1:${AWS_PORTS.identity}/local-pool` };

/** What a template's names mean locally, with its APIs at the ports its serverless offline gets. */
const localContext = (template: Template, ports: ServicePorts | undefined, sqsEndpoint: string) => {
  const ctx = buildResolveContext([template], LOCAL_REGION, LOCAL_ACCOUNT_ID, sqsEndpoint);
  if (ports?.httpPort) ctx.attributes['HttpApi.ApiEndpoint'] = localUrl(ports.httpPort);
  // A WebSocket API is serverless offline's WebSocket server. Its id only appears in names
  // a handler never calls locally (the management endpoint comes from
  // AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI, set by startServices).
  if (ports?.websocketPort && template.Resources.WebsocketsApi) {
    ctx.refs.WebsocketsApi = 'local';
    ctx.attributes['WebsocketsApi.ApiEndpoint'] = `ws://127.0.0.1:${ports.websocketPort}`;
  }
  return ctx;
};

/**
 * Packages the services, each once the services whose outputs its params reference are packaged
 * (config, then orders and publisher at once, then metrics): each service's compose params come
 * from those outputs, resolved to local names (the local issuer stands in for Cognito).
 */
export const packageServices = async (plan: StackPlan): Promise<PackagedService[]> => {
  const issuerUrl = `${localUrl(plan.ports.identity)}/local-pool`;
  const outputs: Record<string, Record<string, string>> = {};
  return afterParamSources(plan.services, async (service) => {
    const params = resolveComposeParams(service, outputs);
    const { template } = await packageService({
      name: service.name,
      dir: service.dir,
      stage: plan.stage,
      params: packagingParams(params),
      log: plan.log,
    });
    const ctx = localContext(template, plan.servicePorts[service.name], localUrl(plan.ports.sqs));
    outputs[service.name] = localOutputs(template, ctx, { IssuerUrl: issuerUrl });
    return { service, name: service.name, template, ctx, params };
  });
};
