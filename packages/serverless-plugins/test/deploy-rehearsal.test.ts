// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text.
import { createRequire } from 'node:module';
import { expect } from 'chai';

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown }>;
}

const require = createRequire(import.meta.url);
const DeployRehearsal = require('../deploy-rehearsal.cjs') as {
  new (serverless: unknown, options: { stage?: string }): { apply: () => void };
  markUnmodelledOutputs: (
    template: Template,
    modelled: Set<string>,
  ) => { output: string; resource: string; type: string }[];
  renameDigitSubVariables: (value: unknown) => number;
};

const template = (): Template => ({
  Resources: {
    Pool: { Type: 'AWS::Cognito::UserPool' },
    Table: { Type: 'AWS::DynamoDB::Table' },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        DefinitionString: {
          'Fn::Sub': [
            '{"Resource":"${6bcd}","Other":"${abc}"}',
            { '6bcd': { Ref: 'Table' }, abc: 'x' },
          ],
        },
      },
    },
  },
  Outputs: {
    PoolId: { Value: { Ref: 'Pool' } },
    Issuer: { Value: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}' } },
    PoolArn: { Value: { 'Fn::GetAtt': ['Pool', 'Arn'] } },
    TableName: { Value: { Ref: 'Table' } },
    Region: { Value: { Ref: 'AWS::Region' } },
  },
});

const MODELLED = new Set(['AWS::DynamoDB::Table', 'AWS::StepFunctions::StateMachine']);

describe('deploy-rehearsal plugin', () => {
  it('replaces only the outputs that read a resource type the stand-in does not model', () => {
    const tpl = template();
    const replaced = DeployRehearsal.markUnmodelledOutputs(tpl, MODELLED);
    expect(replaced.map((r) => r.output)).to.deep.equal(['PoolId', 'Issuer', 'PoolArn']);
    expect(tpl.Outputs?.PoolId?.Value).to.equal('rehearsal-unmodelled:AWS::Cognito::UserPool:Pool');
    expect(tpl.Outputs?.TableName?.Value).to.deep.equal({ Ref: 'Table' });
    expect(tpl.Outputs?.Region?.Value).to.deep.equal({ Ref: 'AWS::Region' });
  });

  it('renames Fn::Sub variables that start with a digit, in the text and the map alike', () => {
    const tpl = template();
    expect(DeployRehearsal.renameDigitSubVariables(tpl.Resources)).to.equal(1);
    const definition = tpl.Resources.Machine?.Properties?.DefinitionString as {
      'Fn::Sub': [string, object];
    };
    const [text, variables] = definition['Fn::Sub'];
    expect(text).to.equal('{"Resource":"${v6bcd}","Other":"${abc}"}');
    expect(variables).to.deep.equal({ v6bcd: { Ref: 'Table' }, abc: 'x' });
  });

  const run = (stage: string, env: Record<string, string | undefined>) => {
    const tpl = template();
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const serverless = {
        service: { provider: { stage, compiledCloudFormationTemplate: tpl } },
        cli: { log: () => {} },
      };
      new DeployRehearsal(serverless, { stage }).apply();
    } finally {
      process.env = saved;
    }
    return tpl;
  };

  it('leaves every other stage untouched', () => {
    const untouched = run('dev', {
      ESPRESSO_REHEARSAL_STAGE: 'rh1',
      ESPRESSO_REHEARSAL_MODELLED_TYPES: [...MODELLED].join(','),
    });
    expect(untouched).to.deep.equal(template());
  });

  it('changes the rehearsal stage, and refuses to guess when moto’s types are not given', () => {
    const changed = run('rh1', {
      ESPRESSO_REHEARSAL_STAGE: 'rh1',
      ESPRESSO_REHEARSAL_MODELLED_TYPES: [...MODELLED].join(','),
    });
    expect(changed.Outputs?.PoolId?.Value).to.match(/^rehearsal-unmodelled:/);
    expect(() =>
      run('rh1', { ESPRESSO_REHEARSAL_STAGE: 'rh1', ESPRESSO_REHEARSAL_MODELLED_TYPES: '' }),
    ).to.throw(/ESPRESSO_REHEARSAL_MODELLED_TYPES/);
  });
});
