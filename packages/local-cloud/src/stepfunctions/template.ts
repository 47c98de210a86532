import { type ResolveContext, resolve, resourcesOfType, type Template } from '../cloudformation';
import type { StateMachineType } from './model';

/** A state machine a template declares, ready for `createStateMachine`. */
export interface TemplateStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  type: StateMachineType;
  /** The ASL definition as JSON text, intrinsic functions resolved to local names and ARNs. */
  definition: string;
}

const definitionOf = (
  logicalId: string,
  properties: Record<string, unknown>,
  ctx: ResolveContext,
): string => {
  if (properties.DefinitionString !== undefined) {
    // serverless-step-functions writes `{"Fn::Sub": [<ASL JSON>, {<var>: {Fn::GetAtt | Ref}}]}`.
    const resolved = resolve(properties.DefinitionString, ctx);
    return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  }
  if (properties.Definition !== undefined) {
    // `Definition` (an object) with `DefinitionSubstitutions` for its `${name}` placeholders.
    const substitutions = (resolve(properties.DefinitionSubstitutions ?? {}, ctx) ?? {}) as Record<
      string,
      unknown
    >;
    return JSON.stringify(resolve(properties.Definition, ctx)).replace(
      /\$\{([^}]+)\}/g,
      (placeholder, name: string) =>
        Object.hasOwn(substitutions, name) ? String(substitutions[name]) : placeholder,
    );
  }
  throw new Error(
    `state machine ${logicalId}: only DefinitionString or Definition can be read locally (not DefinitionS3Location)`,
  );
};

/**
 * The `AWS::StepFunctions::StateMachine` resources of a packaged template: name
 * (`StateMachineName`, else the logical id, as `buildResolveContext` names it), ARN, type
 * (`StateMachineType`, default STANDARD) and definition.
 */
export const stateMachinesFromTemplate = (
  template: Template,
  ctx: ResolveContext,
): TemplateStateMachine[] =>
  resourcesOfType(template, 'AWS::StepFunctions::StateMachine').map(({ logicalId, properties }) => {
    const name =
      properties.StateMachineName === undefined
        ? logicalId
        : String(resolve(properties.StateMachineName, ctx));
    const type =
      properties.StateMachineType === undefined
        ? 'STANDARD'
        : String(resolve(properties.StateMachineType, ctx));
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw new Error(`state machine ${logicalId}: unknown StateMachineType ${type}`);
    }
    return {
      logicalId,
      name,
      arn:
        ctx.refs[logicalId] ?? `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`,
      type,
      definition: definitionOf(logicalId, properties, ctx),
    };
  });
