// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub templates are literal ${Name} text.
import { createRequire } from 'node:module';
import { expect } from 'chai';

const require = createRequire(import.meta.url);
const { pruneUnusedDefaultRole } = require('../prune-unused-default-role.cjs') as {
  pruneUnusedDefaultRole: (template: {
    Resources: Record<string, unknown>;
    Outputs?: unknown;
  }) => boolean;
};

const role = { Type: 'AWS::IAM::Role', Properties: {} };
const fnWithRole = (roleId: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: { Role: { 'Fn::GetAtt': [roleId, 'Arn'] } },
});

describe('prune-unused-default-role', () => {
  [
    {
      name: 'removes the shared role when every function has its own',
      resources: { IamRoleLambdaExecution: role, FnRole: role, Fn: fnWithRole('FnRole') },
      pruned: true,
    },
    {
      name: 'keeps the shared role while a function still runs with it',
      resources: { IamRoleLambdaExecution: role, Fn: fnWithRole('IamRoleLambdaExecution') },
      pruned: false,
    },
    {
      name: 'keeps the shared role when something refers to it by Ref',
      resources: {
        IamRoleLambdaExecution: role,
        Other: { Type: 'X', Properties: { RoleName: { Ref: 'IamRoleLambdaExecution' } } },
      },
      pruned: false,
    },
    {
      name: 'keeps the shared role when a Fn::Sub names it',
      resources: {
        IamRoleLambdaExecution: role,
        Other: { Type: 'X', Properties: { Arn: { 'Fn::Sub': '${IamRoleLambdaExecution.Arn}' } } },
      },
      pruned: false,
    },
    {
      name: 'keeps the shared role when a resource depends on it',
      resources: {
        IamRoleLambdaExecution: role,
        Other: { Type: 'X', DependsOn: ['IamRoleLambdaExecution'] },
      },
      pruned: false,
    },
    {
      name: 'does nothing when there is no shared role',
      resources: { Fn: fnWithRole('FnRole') },
      pruned: false,
    },
  ].forEach((c) => {
    it(c.name, () => {
      const template = { Resources: { ...c.resources } };
      expect(pruneUnusedDefaultRole(template)).to.equal(c.pruned);
      expect('IamRoleLambdaExecution' in template.Resources).to.equal(
        !c.pruned && 'IamRoleLambdaExecution' in c.resources,
      );
    });
  });
});
