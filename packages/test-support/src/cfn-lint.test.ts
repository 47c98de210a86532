import { expect } from 'chai';
import { cfnLintTemplates, formatFinding } from './cfn-lint';

/** The linter wrapper on small templates: it reports what cfn-lint finds, by rule, resource and line. */
describe('cfn-lint over templates in memory', function () {
  this.timeout(60_000);
  const queue = (extra: Record<string, unknown> = {}) => ({
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: 'q' },
    ...extra,
  });

  it('reports a dependency cycle (E3004) and an output with two intrinsics (E6101), each with its line', async () => {
    const text = JSON.stringify(
      {
        Resources: {
          A: queue({ DependsOn: ['B'] }),
          B: queue({ DependsOn: ['A'] }),
        },
        Outputs: { Url: { Value: { Ref: 'A', 'Fn::GetAtt': ['A', 'Arn'] } } },
      },
      null,
      2,
    );
    const findings = await cfnLintTemplates([{ label: 'tiny', text }]);
    const lines = findings.map(formatFinding);
    expect(
      lines.some((l) => /^tiny:3 E3004 \(Error\) A — /.test(l)),
      lines.join('\n'),
    ).to.equal(true);
    expect(
      lines.some((l) => /^tiny:\d+ E6101 \(Error\) Outputs\/Url — /.test(l)),
      lines.join('\n'),
    ).to.equal(true);
  });

  it('reports nothing for a sound template, and nothing for a rule .cfnlintrc.yaml ignores (W3005)', async () => {
    const text = JSON.stringify({
      Resources: {
        A: queue(),
        P: {
          Type: 'AWS::SQS::QueuePolicy',
          DependsOn: ['A'],
          Properties: {
            Queues: [{ Ref: 'A' }],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { Service: 'events.amazonaws.com' },
                  Action: 'sqs:SendMessage',
                  Resource: { 'Fn::GetAtt': ['A', 'Arn'] },
                },
              ],
            },
          },
        },
      },
    });
    expect((await cfnLintTemplates([{ label: 'sound', text }])).map(formatFinding)).to.deep.equal(
      [],
    );
  });
});
