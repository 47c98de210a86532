// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub text is literal ${…}.
import type { Template } from '@espresso/local-cloud';
import { expect } from 'chai';
import { dependencies, dependencyCycles, formatCycle } from './dependency-graph';

const template = (resources: Record<string, Record<string, unknown>>) =>
  ({
    Resources: Object.fromEntries(
      Object.entries(resources).map(([id, r]) => [id, { Type: 'AWS::X::Y', ...r }]),
    ),
  }) as Template;

describe('dependency graph of a CloudFormation template', () => {
  it('finds the cycle of the orders stack as it was packaged (function → role → machine → role → function) and prints its path', () => {
    // The shape cfn-lint reported as E3004: the state machine's role may invoke the function,
    // the function runs with its role, and that role named the machine by `Ref`.
    const cyclic = template({
      Fn: { Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } }, DependsOn: ['FnRole'] },
      FnRole: { Properties: { Policies: [{ Resource: { Ref: 'Machine' } }] } },
      Machine: {
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['MachineRole', 'Arn'] },
          DefinitionString: { 'Fn::Sub': ['{"Resource":"${Step}"}', { Step: 'x' }] },
        },
      },
      MachineRole: { Properties: { Resource: { 'Fn::Sub': '${Fn.Arn}:*' } } },
    });
    const cycles = dependencyCycles(cyclic);
    expect(cycles).to.have.length(1);
    expect(formatCycle(cycles[0] ?? [])).to.equal(
      'Fn —Fn::GetAtt (Properties/Role/Fn::GetAtt)→ FnRole' +
        ' —Ref (Properties/Policies/0/Resource/Ref)→ Machine' +
        ' —Fn::GetAtt (Properties/RoleArn/Fn::GetAtt)→ MachineRole' +
        ' —Fn::Sub (Properties/Resource/Fn::Sub)→ Fn',
    );
  });

  it('finds cycles made by DependsOn alone, by "Id.Attr" GetAtt, and a resource naming itself', () => {
    const cycles = dependencyCycles(
      template({
        A: { DependsOn: 'B' },
        B: { Properties: { X: { 'Fn::GetAtt': 'A.Arn' } } },
        Self: { Properties: { Name: { Ref: 'Self' } } },
        Free: { Properties: { X: { Ref: 'A' } } },
      }),
    );
    expect(cycles.map(formatCycle)).to.deep.equal([
      'A —DependsOn (DependsOn)→ B —Fn::GetAtt (Properties/X/Fn::GetAtt)→ A',
      'Self —Ref (Properties/Name/Ref)→ Self',
    ]);
  });

  it('reports one cycle per group of resources that depend on each other', () => {
    const cycles = dependencyCycles(
      template({
        A: { DependsOn: ['B'] },
        B: { DependsOn: ['A'] },
        C: { DependsOn: ['D'] },
        D: { DependsOn: ['E'] },
        E: { DependsOn: ['C', 'A'] },
      }),
    );
    expect(cycles.map(formatCycle)).to.deep.equal([
      'A —DependsOn (DependsOn/0)→ B —DependsOn (DependsOn/0)→ A',
      'C —DependsOn (DependsOn/0)→ D —DependsOn (DependsOn/0)→ E —DependsOn (DependsOn/0)→ C',
    ]);
  });

  it('takes no pseudo parameter, template parameter, Sub variable or ${!Literal} for a resource', () => {
    const acyclic = template({
      Machine: {
        Properties: {
          // The ARN built from the stage's name: what breaks the orders cycle.
          Arn: {
            'Fn::Sub':
              'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:m',
          },
          Escaped: { 'Fn::Sub': '${!Role} ${!Role.Arn}' },
          Shadowed: { 'Fn::Sub': ['${Role}', { Role: 'a-literal' }] },
          Param: { Ref: 'Stage' },
          Pseudo: { Ref: 'AWS::StackName' },
        },
      },
      Role: { Properties: { Resource: { 'Fn::Sub': '${Machine}' } } },
    });
    expect(dependencies(acyclic).map((e) => `${e.from}->${e.to}:${e.via}`)).to.deep.equal([
      'Role->Machine:Fn::Sub',
    ]);
    expect(dependencyCycles(acyclic)).to.deep.equal([]);
  });

  it('follows references inside a Sub variable map and inside other intrinsics', () => {
    const edges = dependencies(
      template({
        A: {
          Properties: {
            X: { 'Fn::Sub': ['${B}-${Name}', { Name: { 'Fn::GetAtt': ['C', 'Name'] } }] },
            Y: { 'Fn::Join': ['', [{ Ref: 'D' }]] },
            Z: { 'Fn::If': ['Cond', { Ref: 'E' }, { Ref: 'AWS::NoValue' }] },
          },
        },
        B: {},
        C: {},
        D: {},
        E: {},
      }),
    );
    expect(edges.map((e) => `${e.to}:${e.via}:${e.at}`)).to.deep.equal([
      'B:Fn::Sub:Properties/X/Fn::Sub',
      'C:Fn::GetAtt:Properties/X/Fn::Sub/1/Name/Fn::GetAtt',
      'D:Ref:Properties/Y/Fn::Join/1/0/Ref',
      'E:Ref:Properties/Z/Fn::If/1/Ref',
    ]);
  });
});
