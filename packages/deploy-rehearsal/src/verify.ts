import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';

/** One compose service as deployed: its directory and the stack the framework made. */
export interface DeployedService {
  name: string;
  dir: string;
  stackName: string;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** What the rehearsal saw of one resource: created by the stand-in's CloudFormation (and how it was checked), or skipped. */
export interface ResourceFinding {
  service: string;
  logicalId: string;
  type: string;
  created: boolean;
  /** What was read back through the resource's own API and matched the template, if anything. */
  checked?: string;
}

export interface Clients {
  cloudFormation: CloudFormationClient;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
  sfn: SFNClient;
}

export const clientsFor = (endpoint: string, region: string): Clients => {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return {
    cloudFormation: new CloudFormationClient(config),
    dynamodb: new DynamoDBClient(config),
    lambda: new LambdaClient(config),
    sfn: new SFNClient(config),
  };
};

/** The template the framework deployed for a service (written by `serverless deploy`). */
export const deployedTemplate = async (dir: string) =>
  JSON.parse(
    await readFile(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as { Resources: Record<string, TemplateResource> };

const fail = (service: string, message: string): never => {
  throw new Error(`${service}: ${message}`);
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const sortedBy = <T>(items: T[], key: (item: T) => string) =>
  [...items].sort((x, y) => key(x).localeCompare(key(y)));

/** One resource of a stack as created, and the template's resource it was created from. */
interface Created {
  clients: Clients;
  service: string;
  resource: TemplateResource;
  physicalId: string;
  /** Environment variables every function must have with these values. */
  expectEnvironment: Record<string, string>;
}

/** A table as created matches its template: key schema, indexes, stream. */
const checkTable = async ({ clients, service, resource, physicalId }: Created) => {
  const { Table } = await clients.dynamodb.send(
    new DescribeTableCommand({ TableName: physicalId }),
  );
  const props = resource.Properties ?? {};
  if (!same(Table?.KeySchema, props.KeySchema)) fail(service, `${physicalId}: key schema differs`);
  const indexNames = (list: unknown) =>
    ((list ?? []) as { IndexName: string }[]).map((index) => index.IndexName).sort();
  if (!same(indexNames(Table?.GlobalSecondaryIndexes), indexNames(props.GlobalSecondaryIndexes))) {
    fail(service, `${physicalId}: global secondary indexes differ`);
  }
  const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
  if (stream && Table?.StreamSpecification?.StreamViewType !== stream.StreamViewType) {
    fail(
      service,
      `${physicalId}: stream ${Table?.StreamSpecification?.StreamViewType} ≠ ${stream.StreamViewType}`,
    );
  }
  return 'key schema, indexes, stream';
};

/** A function as created: runtime, handler, and an environment of resolved strings. */
const checkFunction = async ({
  clients,
  service,
  resource,
  physicalId,
  expectEnvironment,
}: Created) => {
  const { Configuration } = await clients.lambda.send(
    new GetFunctionCommand({ FunctionName: physicalId }),
  );
  const props = resource.Properties ?? {};
  if (Configuration?.Runtime !== props.Runtime)
    fail(service, `${physicalId}: runtime ${Configuration?.Runtime}`);
  if (Configuration?.Handler !== props.Handler)
    fail(service, `${physicalId}: handler ${Configuration?.Handler}`);
  const variables = Configuration?.Environment?.Variables ?? {};
  for (const [name, value] of Object.entries(variables)) {
    if (/\[object |<moto\.|^\{/.test(value))
      fail(service, `${physicalId}: ${name} unresolved: ${value}`);
  }
  for (const [name, value] of Object.entries(expectEnvironment)) {
    if (variables[name] !== value)
      fail(service, `${physicalId}: ${name}=${variables[name]}, expected ${value}`);
  }
  return 'runtime, handler, environment resolved';
};

/** A state machine as created: its type, and every Lambda its definition calls exists. */
const checkStateMachine = async ({ clients, service, resource, physicalId }: Created) => {
  const machine = await clients.sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: physicalId }),
  );
  // moto's CloudFormation creates every state machine as STANDARD, whatever StateMachineType says,
  // so the type is not checked here (a template test checks it).
  const roleArn = resource.Properties?.RoleArn;
  if (roleArn && !machine.roleArn) fail(service, `${physicalId}: no role`);
  const definition = JSON.parse(machine.definition ?? '{}') as unknown;
  const lambdaArns = [
    ...JSON.stringify(definition).matchAll(/arn:aws:lambda:[^:"]+:\d+:function:([A-Za-z0-9_-]+)/g),
  ].map(([, name]) => name as string);
  for (const name of lambdaArns) {
    await clients.lambda
      .send(new GetFunctionCommand({ FunctionName: name }))
      .catch(() =>
        fail(service, `${physicalId}: its definition calls ${name}, which does not exist`),
      );
  }
  return `role, definition parsed, ${lambdaArns.length} Lambda target(s) exist`;
};

/** What is read back of each type of resource, and checked against its template. */
const CHECKS: Record<string, (created: Created) => Promise<string>> = {
  'AWS::DynamoDB::Table': checkTable,
  'AWS::Lambda::Function': checkFunction,
  'AWS::StepFunctions::StateMachine': checkStateMachine,
};

const listResources = async (clients: Clients, stackName: string) => {
  const summaries: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources(
    { client: clients.cloudFormation },
    { StackName: stackName },
  )) {
    summaries.push(...(page.StackResourceSummaries ?? []));
  }
  return new Map(summaries.map((summary) => [summary.LogicalResourceId, summary]));
};

/**
 * Checks one deployed service: its stack is complete, every resource of a type the stand-in
 * models was created, and tables, functions and state machines read back as the template says.
 */
export const verifyService = async (
  clients: Clients,
  service: DeployedService,
  modelledTypes: Set<string>,
  expectEnvironment: Record<string, string> = {},
): Promise<ResourceFinding[]> => {
  const { Stacks } = await clients.cloudFormation.send(
    new DescribeStacksCommand({ StackName: service.stackName }),
  );
  const status = Stacks?.[0]?.StackStatus;
  if (status !== 'CREATE_COMPLETE' && status !== 'UPDATE_COMPLETE') {
    fail(service.name, `stack ${service.stackName} is ${status}`);
  }
  const template = await deployedTemplate(service.dir);
  const created = await listResources(clients, service.stackName);
  const findings: ResourceFinding[] = [];
  for (const [logicalId, resource] of sortedBy(Object.entries(template.Resources), ([id]) => id)) {
    const finding: ResourceFinding = {
      service: service.name,
      logicalId,
      type: resource.Type,
      created: false,
    };
    findings.push(finding);
    if (!modelledTypes.has(resource.Type)) continue;
    const summary = created.get(logicalId);
    if (!summary?.ResourceStatus?.endsWith('_COMPLETE')) {
      fail(
        service.name,
        `${logicalId} (${resource.Type}) was not created: ${summary?.ResourceStatus}`,
      );
    }
    finding.created = true;
    // moto gives some types (event buses, Lambda permissions) no physical id.
    const physicalId = summary?.PhysicalResourceId ?? '';
    if (!physicalId) continue;
    const check = CHECKS[resource.Type];
    if (check) {
      finding.checked = await check({
        clients,
        service: service.name,
        resource,
        physicalId,
        expectEnvironment,
      });
    }
  }
  return findings;
};

/** After `serverless remove`: no stack, table or function of the stage is left. */
export const verifyRemoved = async (
  clients: Clients,
  services: DeployedService[],
  stage: string,
) => {
  const left: string[] = [];
  for (const service of services) {
    const exists = await clients.cloudFormation
      .send(new DescribeStacksCommand({ StackName: service.stackName }))
      .then((answer) => answer.Stacks?.some((stack) => stack.StackStatus !== 'DELETE_COMPLETE'))
      .catch(() => false);
    if (exists) left.push(`stack ${service.stackName}`);
  }
  const { TableNames = [] } = await clients.dynamodb.send(new ListTablesCommand({}));
  left.push(
    ...TableNames.filter((name) => name.includes(`-${stage}-`)).map((name) => `table ${name}`),
  );
  const { Functions = [] } = await clients.lambda.send(new ListFunctionsCommand({}));
  left.push(
    ...Functions.map((fn) => fn.FunctionName ?? '')
      .filter((name) => name.includes(`-${stage}-`))
      .map((name) => `function ${name}`),
  );
  if (left.length > 0) throw new Error(`left after serverless remove: ${left.join(', ')}`);
};
