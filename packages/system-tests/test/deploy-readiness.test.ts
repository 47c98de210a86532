// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub text is literal ${…}.
import {
  buildResolveContext,
  COMPOSE_FILE,
  LOCAL_ACCOUNT_ID,
  localOutputs,
  readCompose,
  resolveComposeParams,
  type Template,
  withDependencies,
} from '@espresso/local-cloud';
import {
  cfnLintTemplates,
  dependencyCycles,
  formatCycle,
  formatFinding,
  functionRoles,
  packageForTest,
} from '@espresso/test-support';
import aslValidator from 'asl-validator';
import { expect } from 'chai';

/**
 * What we would deploy is what we tested: every service of serverless-compose.yml packaged for
 * one new stage, in deploy order, each with its compose params resolved from the outputs of the
 * services before it (as `pnpm package --stage <stage>` does) — then the templates are checked
 * together: least privilege, valid workflows, consistent rules and queue policies, stage-named
 * resources, alarms and the dashboard.
 */
const STAGE = 'qa7';

type Resource = Template['Resources'][string];
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Actions AWS offers no narrower resource for (the service authorization reference). */
const STAR_ONLY_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'cloudwatch:PutMetricData',
]);

/** The properties that give each kind of resource its physical name. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::Events::EventBus': 'Name',
  'AWS::Cognito::UserPool': 'UserPoolName',
  'AWS::Cognito::UserPoolClient': 'ClientName',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ApiGatewayV2::Api': 'Name',
};

const statementsOf = (resource: Resource): Statement[] =>
  (
    (resource.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
  ).flatMap((p) => p.PolicyDocument.Statement);

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Logical ids a value refers to with `Ref` or `Fn::GetAtt`. */
const referencedIds = (value: unknown): string[] => {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return [object.Ref];
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(object).flatMap(referencedIds);
};

describe(`deploy readiness: every service packaged for stage ${STAGE} through compose`, function () {
  this.timeout(600_000);
  const templates: Record<string, Template> = {};
  const texts: Record<string, string> = {};
  const zips: Record<string, Awaited<ReturnType<typeof packageForTest>>['contents']> = {};
  const params: Record<string, Record<string, string>> = {};
  const leftovers: Record<string, string[]> = {};

  before(async function () {
    this.timeout(600_000);
    const composed = await readCompose(COMPOSE_FILE);
    const outputs: Record<string, Record<string, string>> = {};
    for (const service of withDependencies(
      composed,
      composed.map((s) => s.name),
    )) {
      params[service.name] = resolveComposeParams(service, outputs);
      const { template, templateText, contents, leftInTemp } = await packageForTest(
        service.dir,
        STAGE,
        params[service.name],
      );
      templates[service.name] = template;
      texts[service.name] = templateText;
      zips[service.name] = contents;
      leftovers[service.name] = leftInTemp;
      outputs[service.name] = localOutputs(
        template,
        buildResolveContext([template], 'us-east-1', LOCAL_ACCOUNT_ID),
      );
    }
  });

  const all = () =>
    Object.entries(templates).flatMap(([service, template]) =>
      Object.entries(template.Resources).map(([id, resource]) => ({ service, id, resource })),
    );
  const ofType = (type: string) => all().filter((r) => r.resource.Type === type);

  it('packages every compose service, each param resolved from an earlier service’s outputs', async () => {
    const composed = await readCompose(COMPOSE_FILE);
    expect(Object.keys(templates).sort()).to.deep.equal(composed.map((s) => s.name).sort());
    for (const [service, values] of Object.entries(params)) {
      for (const [key, value] of Object.entries(values)) {
        expect(value, `${service} param ${key}`).not.to.match(/\$\{|undefined|\[object/);
      }
    }
  });

  it("passes AWS's CloudFormation linter: no error, no warning beyond .cfnlintrc.yaml's", async function () {
    this.timeout(120_000);
    // cfn-lint (Python) must be installed: the test fails saying how when it is not.
    const findings = await cfnLintTemplates(
      Object.entries(texts).map(([service, text]) => ({
        label: `services/${service} (stage ${STAGE})`,
        text,
      })),
    );
    expect(findings.map(formatFinding)).to.deep.equal([]);
  });

  it("forms no dependency cycle among any template's resources (Ref, GetAtt, Sub, DependsOn)", () => {
    const cycles = Object.entries(templates).flatMap(([service, template]) =>
      dependencyCycles(template).map((cycle) => `${service}: ${formatCycle(cycle)}`),
    );
    expect(cycles).to.deep.equal([]);
  });

  it('ships each function as one minified bundle and its source map within their size budgets, nothing else', () => {
    const functions = ofType('AWS::Lambda::Function');
    const packaged = Object.entries(zips).flatMap(([service, contents]) =>
      Object.entries(contents).map(([zip, entries]) => ({ service, zip, entries })),
    );
    expect(packaged).to.have.length(functions.length);
    for (const { service, zip, entries } of packaged) {
      const where = `${service}/${zip}`;
      expect(
        entries.filter((e) => e.name.includes('node_modules/')),
        `${where} packs dependencies`,
      ).to.deep.equal([]);
      const modules = entries.filter((e) => e.name.endsWith('.mjs'));
      expect(modules, `${where} modules`).to.have.length(1);
      // The AWS SDK bundled (services/serverless.common.yml): 0.50–0.57 MB a module; all of
      // zod's locales bundled (a named `z` import) made it ~0.9 MB.
      expect(modules[0]?.bytes ?? 0, `${where} module bytes`).to.be.within(1, 640 * 1024);
      // Its source map: names and positions only (`sourcesContent: false`), ≈ 1 MB; with a
      // copy of every source it bundles it was ≈ 2.8 MB, which each cold start reads and parses
      // (NODE_OPTIONS=--enable-source-maps) — ≈ 25 ms of CPU an instance.
      const maps = entries.filter((e) => e.name.endsWith('.mjs.map'));
      expect(maps, `${where} source maps`).to.have.length(1);
      expect(maps[0]?.bytes ?? 0, `${where} source map bytes`).to.be.within(1, 1.25 * 1024 * 1024);
    }
  });

  it('leaves nothing behind in the temp folder (serverless-esbuild staged each zip there and kept it)', () => {
    expect(Object.keys(leftovers)).to.have.length(Object.keys(templates).length);
    for (const [service, left] of Object.entries(leftovers)) {
      expect(left, `${service}: left in TMPDIR by serverless package`).to.deep.equal([]);
    }
  });

  it('gives every function its own role', () => {
    for (const [service, template] of Object.entries(templates)) {
      const roles = functionRoles(template);
      const functions = Object.values(template.Resources).filter(
        (r) => r.Type === 'AWS::Lambda::Function',
      );
      expect(roles, service).to.have.length(functions.length);
      expect(new Set(roles.map((r) => r.roleLogicalId)).size, service).to.equal(functions.length);
      expect(Object.keys(template.Resources), `${service}: no shared role`).not.to.include(
        'IamRoleLambdaExecution',
      );
    }
  });

  it('grants no * action anywhere, and * resources only where AWS allows nothing narrower', () => {
    const problems: string[] = [];
    for (const { service, id, resource } of ofType('AWS::IAM::Role')) {
      for (const statement of statementsOf(resource)) {
        if (statement.Effect !== 'Allow') continue;
        const actions = list(statement.Action);
        for (const action of actions) {
          if (action === '*' || action.endsWith(':*')) {
            problems.push(`${service} ${id}: action ${action}`);
          }
        }
        const resources = list(statement.Resource as unknown);
        if (resources.some((r) => r === '*') && !actions.every((a) => STAR_ONLY_ACTIONS.has(a))) {
          problems.push(`${service} ${id}: ${actions.join(', ')} on *`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('names every named resource after the stage', () => {
    const problems: string[] = [];
    for (const { service, id, resource } of all()) {
      const property = NAME_PROPERTIES[resource.Type];
      if (!property) continue;
      const name = resource.Properties?.[property];
      if (name === undefined) {
        // CloudFormation generates a name from the stack, which carries the stage.
        continue;
      }
      if (!JSON.stringify(name).includes(STAGE)) {
        problems.push(`${service} ${id} ${property}: ${JSON.stringify(name)}`);
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('packages every state machine with a definition asl-validator accepts', () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.length).to.be.greaterThan(0);
    for (const { service, id, resource } of machines) {
      const raw = resource.Properties?.DefinitionString as
        | string
        | { 'Fn::Sub': [string, unknown] };
      const text = typeof raw === 'string' ? raw : raw['Fn::Sub'][0];
      const definition = JSON.parse(
        text.replace(/\$\{[^}]+\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:x'),
      );
      const { isValid, errorsText } = aslValidator(definition);
      expect(isValid, `${service} ${id}: ${errorsText('\n')}`).to.equal(true);
    }
  });

  it('points every rule target at a resource of its template or a param, and lets each queue target admit exactly its rule', () => {
    const problems: string[] = [];
    for (const { service, id, resource } of ofType('AWS::Events::Rule')) {
      const template = templates[service] as Template;
      const targets = (resource.Properties?.Targets ?? []) as {
        Arn: unknown;
        DeadLetterConfig?: { Arn: unknown };
      }[];
      expect(targets.length, `${service} ${id} has targets`).to.be.greaterThan(0);
      for (const target of targets) {
        for (const ref of [
          ...referencedIds(target.Arn),
          ...referencedIds(target.DeadLetterConfig),
        ]) {
          if (!template.Resources[ref]) problems.push(`${service} ${id}: target names ${ref}`);
        }
        const [queueId] = referencedIds(target.Arn);
        const queue = queueId ? template.Resources[queueId] : undefined;
        const queues = [
          ...(queue?.Type === 'AWS::SQS::Queue' ? [queueId as string] : []),
          ...referencedIds(target.DeadLetterConfig).filter(
            (q) => template.Resources[q]?.Type === 'AWS::SQS::Queue',
          ),
        ];
        for (const q of queues) {
          const policies = Object.values(template.Resources).filter(
            (r) =>
              r.Type === 'AWS::SQS::QueuePolicy' && referencedIds(r.Properties?.Queues).includes(q),
          );
          const text = JSON.stringify(policies);
          // The rule's ARN: its Fn::GetAtt, or built from its name (`rule/<bus>/<name>`).
          const name = resource.Properties?.Name;
          const admits =
            text.includes(`"Fn::GetAtt":["${id}","Arn"]`) ||
            (typeof name === 'string' && text.includes(`/${name}"`));
          if (!admits || !text.includes('aws:SourceArn')) {
            problems.push(`${service}: queue ${q} has no policy admitting rule ${id}`);
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('watches the stage: a dashboard and the alarms (DLQ, oldest message, workflow failures, API 5xx)', () => {
    expect(ofType('AWS::CloudWatch::Dashboard')).to.have.length.at.least(1);
    const alarms = ofType('AWS::CloudWatch::Alarm').map((a) =>
      JSON.stringify(a.resource.Properties),
    );
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'ExecutionsFailed',
      '5xx',
    ]) {
      expect(
        alarms.some((a) => a.includes(metric)),
        `an alarm on ${metric}`,
      ).to.equal(true);
    }
  });
});
