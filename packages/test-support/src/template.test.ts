import type { Template } from '@espresso/local-cloud';
import { expect } from 'chai';
import { functionRoles, ownPermissions } from './template';

const template: Template = {
  Resources: {
    GetLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'svc-dev-get', Role: { 'Fn::GetAtt': ['GetIamRole', 'Arn'] } },
    },
    GetIamRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Policies: [
          {
            PolicyDocument: {
              Statement: [
                { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: ['arn:logs'] },
                { Effect: 'Allow', Action: ['xray:PutTraceSegments'], Resource: '*' },
                { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { Ref: 'Table' } },
                {
                  Effect: 'Allow',
                  Action: ['dynamodb:GetItem', 'dynamodb:Query'],
                  Resource: ['b', 'a'],
                },
                { Effect: 'Deny', Action: ['dynamodb:DeleteItem'], Resource: '*' },
              ],
            },
          },
        ],
      },
    },
  },
};

describe('template readers', () => {
  it('finds the role each function runs with and its statements', () => {
    const [role] = functionRoles(template);
    expect(role).to.include({ functionName: 'svc-dev-get', roleLogicalId: 'GetIamRole' });
    expect(role?.statements).to.have.length(5);
  });

  it('lists own permissions without log and X-Ray grants or denies, resources sorted', () => {
    const [role] = functionRoles(template);
    expect(ownPermissions(role?.statements ?? [])).to.deep.equal({
      'dynamodb:GetItem': ['"a"', '"b"', '{"Ref":"Table"}'],
      'dynamodb:Query': ['"a"', '"b"'],
    });
  });
});
