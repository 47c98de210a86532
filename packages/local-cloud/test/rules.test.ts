import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import type { ResolveContext, Template } from '../src/cloudformation';
import type { BusEvent } from '../src/eventbridge';
import type { InvokeLambda } from '../src/lambda';
import {
  createRuleRouter,
  type Rule,
  type RuleTarget,
  readPath,
  rulesFromTemplate,
  targetInput,
} from '../src/rules';

const event: BusEvent = {
  version: '0',
  id: 'e-1',
  'detail-type': 'ConfigService.ConfigChanged',
  source: 'espresso.config',
  account: '000000000000',
  time: '2026-11-24T09:00:00Z',
  region: 'us-east-1',
  resources: ['arn:a', 'arn:b'],
  detail: { shopId: 'demo', change: 'OPENED', config: { menu: [{ drinkId: 'latte' }] } },
  eventBusName: 'bus',
};
const { eventBusName, ...envelope } = event;

const rule = (overrides: Partial<Rule> = {}): Rule => ({
  logicalId: 'R',
  name: 'r',
  arn: 'arn:aws:events:us-east-1:000000000000:rule/bus/r',
  busName: 'bus',
  pattern: { source: ['espresso.config'] },
  enabled: true,
  targets: [],
  ...overrides,
});

describe('rules', () => {
  describe('readPath', () => {
    [
      { path: '$', expected: envelope },
      { path: '$.detail.shopId', expected: 'demo' },
      { path: '$.resources[1]', expected: 'arn:b' },
      { path: "$.detail['change']", expected: 'OPENED' },
      { path: '$.detail.config.menu[0].drinkId', expected: 'latte' },
      { path: '$.detail.missing.deeper', expected: undefined },
    ].forEach((c) => {
      it(`reads ${c.path}`, () => expect(readPath(envelope, c.path)).to.deep.equal(c.expected));
    });
  });

  describe('targetInput', () => {
    const cases: { name: string; target: Partial<RuleTarget>; expected: unknown }[] = [
      { name: 'the whole event by default', target: {}, expected: envelope },
      { name: 'a constant Input', target: { input: '{"fixed":true}' }, expected: { fixed: true } },
      {
        name: 'the value at InputPath',
        target: { inputPath: '$.detail' },
        expected: envelope.detail,
      },
      {
        name: 'an InputTransformer with quoted, unquoted and embedded placeholders',
        target: {
          inputTransformer: {
            inputPathsMap: { shop: '$.detail.shopId', res: '$.resources' },
            inputTemplate:
              '{"shop": <shop>, "list": <res>, "text": "shop <shop>!", "rule": "<aws.events.rule-name>"}',
          },
        },
        expected: { shop: 'demo', list: ['arn:a', 'arn:b'], text: 'shop demo!', rule: 'r' },
      },
      {
        name: "a string template as in AWS's docs (placeholders inside quotes take the text)",
        target: {
          inputTransformer: {
            inputPathsMap: { shop: '$.detail.shopId', change: '$.detail.change' },
            inputTemplate: '"shop <shop> is <change>"',
          },
        },
        expected: 'shop demo is OPENED',
      },
      {
        name: 'null for a path that is not in the event',
        target: {
          inputTransformer: { inputPathsMap: { x: '$.detail.nope' }, inputTemplate: '{"x": <x>}' },
        },
        expected: { x: null },
      },
    ];
    cases.forEach((c) => {
      it(`gives ${c.name}`, () => {
        const text = targetInput(
          { id: 't', arn: 'arn:aws:sqs:::q', ...c.target },
          envelope,
          rule(),
        );
        expect(JSON.parse(text)).to.deep.equal(c.expected);
      });
    });
  });

  describe('rulesFromTemplate', () => {
    const ctx: ResolveContext = {
      region: 'us-east-1',
      accountId: '000000000000',
      refs: { Bus: 'bus', Rule: 'my-rule', Q: 'http://127.0.0.1:1/000000000000/q' },
      attributes: {
        'Q.Arn': 'arn:aws:sqs:us-east-1:000000000000:q',
        'Rule.Arn': 'arn:aws:events:us-east-1:000000000000:rule/bus/my-rule',
        'Fn.Arn': 'arn:aws:lambda:us-east-1:000000000000:function:svc-fn',
      },
    };
    const template: Template = {
      Resources: {
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/bus',
            EventPattern: { 'detail-type': [{ prefix: 'OrderManager.' }] },
            State: 'DISABLED',
            Targets: [
              {
                Id: 'q',
                Arn: { 'Fn::GetAtt': ['Q', 'Arn'] },
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Q', 'Arn'] } },
                RetryPolicy: { MaximumRetryAttempts: 1 },
              },
              { Id: 'fn', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, InputPath: '$.detail' },
            ],
          },
        },
        Scheduled: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)' } },
      },
    };

    it('reads pattern, bus (from an ARN), state and resolved targets; skips scheduled rules', () => {
      const [only, ...rest] = rulesFromTemplate(template, ctx);
      expect(rest).to.have.length(0);
      expect(only).to.deep.include({ name: 'my-rule', busName: 'bus', enabled: false });
      expect(only?.pattern).to.deep.equal({ 'detail-type': [{ prefix: 'OrderManager.' }] });
      expect(only?.targets).to.deep.equal([
        {
          id: 'q',
          arn: 'arn:aws:sqs:us-east-1:000000000000:q',
          deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:q',
          maximumRetryAttempts: 1,
        },
        {
          id: 'fn',
          arn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-fn',
          inputPath: '$.detail',
        },
      ]);
    });

    it('accepts an EventPattern given as a JSON string', () => {
      const stringTemplate: Template = {
        Resources: {
          Rule: {
            Type: 'AWS::Events::Rule',
            Properties: { EventPattern: '{"source":["x"]}', Targets: [] },
          },
        },
      };
      expect(rulesFromTemplate(stringTemplate, ctx)[0]?.pattern).to.deep.equal({ source: ['x'] });
    });
  });

  describe('createRuleRouter', () => {
    const setup = (invoke: InvokeLambda) => {
      const sent: { QueueUrl?: string; MessageBody?: string; MessageAttributes?: unknown }[] = [];
      const started: unknown[] = [];
      const logs: string[] = [];
      const router = createRuleRouter({
        invokeLambda: invoke,
        sqs: {
          send: async (command: { input: (typeof sent)[number] }) => sent.push(command.input),
        } as unknown as SQSClient,
        sfn: {
          send: async (command: { input: unknown }) => started.push(command.input),
        } as unknown as SFNClient,
        queueUrlOf: (arn) => `url:${arn.split(':').pop()}`,
        log: (line) => logs.push(line),
        retryDelayMs: 1,
      });
      return { router, sent, started, logs };
    };
    const lambdaArn = 'arn:aws:lambda:us-east-1:000000000000:function:fn';

    it('delivers a matching event to Lambda, SQS and Step Functions targets, and ignores others', async () => {
      const invoked: unknown[] = [];
      const { router, sent, started } = setup(async (_name, payload) => {
        invoked.push(payload);
        return { payload: null };
      });
      router.add([
        rule({
          targets: [
            { id: 'l', arn: lambdaArn },
            { id: 'q', arn: 'arn:aws:sqs:us-east-1:000000000000:q', inputPath: '$.detail' },
            { id: 's', arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m' },
          ],
        }),
        rule({
          name: 'other',
          pattern: { source: ['espresso.orders'] },
          targets: [{ id: 'x', arn: lambdaArn }],
        }),
        rule({ name: 'other-bus', busName: 'elsewhere', targets: [{ id: 'y', arn: lambdaArn }] }),
        rule({ name: 'disabled', enabled: false, targets: [{ id: 'z', arn: lambdaArn }] }),
      ]);
      router.route(event);
      await router.idle();
      expect(invoked).to.deep.equal([envelope]);
      expect(sent).to.deep.equal([
        { QueueUrl: 'url:q', MessageBody: JSON.stringify(envelope.detail) },
      ]);
      expect(started).to.deep.equal([
        {
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:m',
          input: JSON.stringify(envelope),
        },
      ]);
      expect(router.deliveries().map((d) => d.outcome)).to.deep.equal([
        'delivered',
        'delivered',
        'delivered',
      ]);
    });

    it('names the deliveries in flight, and none once they are done', async () => {
      let release: () => void = () => undefined;
      const { router } = setup(
        () =>
          new Promise((resolve) => {
            release = () => resolve({ payload: null });
          }),
      );
      router.add([rule({ targets: [{ id: 'l', arn: lambdaArn }] })]);
      router.route(event);

      const pending = router.pending();
      release();
      await router.idle();

      expect(pending).to.have.length(1);
      expect(pending[0]).to.match(
        /^rule \S+ → arn:aws:lambda:us-east-1:000000000000:function:fn for \d+ ms$/,
      );
      expect(router.pending()).to.deep.equal([]);
    });

    it("retries a failing Lambda target twice, as Lambda's async invocation does, then gives up without the rule's DLQ", async () => {
      let calls = 0;
      const { router, sent } = setup(async () => {
        calls++;
        return { payload: { errorMessage: 'boom' }, functionError: 'Unhandled' };
      });
      router.add([
        rule({
          targets: [
            { id: 'l', arn: lambdaArn, deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
          ],
        }),
      ]);
      router.route(event);
      await router.idle();
      expect(calls).to.equal(3);
      expect(sent).to.deep.equal([]);
      expect(router.deliveries().map((d) => d.outcome)).to.deep.equal(['failed']);
    });

    it("sends an event it cannot deliver to the target's DLQ with EventBridge's attributes", async () => {
      const { router, sent } = setup(async () => {
        throw new Error('no local service runs the function fn');
      });
      router.add([
        rule({
          targets: [
            {
              id: 'l',
              arn: lambdaArn,
              deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
              maximumRetryAttempts: 0,
            },
          ],
        }),
      ]);
      router.route(event);
      await router.idle();
      expect(sent).to.have.length(1);
      expect(sent[0]?.QueueUrl).to.equal('url:dlq');
      expect(JSON.parse(String(sent[0]?.MessageBody))).to.deep.equal(envelope);
      expect(Object.keys(sent[0]?.MessageAttributes as object).sort()).to.deep.equal([
        'ERROR_CODE',
        'ERROR_MESSAGE',
        'RULE_ARN',
        'TARGET_ARN',
      ]);
      expect(router.deliveries().map((d) => d.outcome)).to.deep.equal(['dead-lettered']);
    });
  });
});
