import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { EngineContext } from './context';
import { parseDefinition, prepareDefinition, type TaskSpec } from './definition';
import { SfnApiError } from './errors';
import { type IntegrationDeps, integrationFor, SUPPORTED_RESOURCES } from './integrations';
import type { LocalStateMachine, StateMachineType } from './model';
import type { StoredExecution } from './persistence';
import { STATE_MACHINE_ARN, validName } from './validation';

/** Builds state machines from CreateStateMachine's input, and stand-ins for gone ones. */

export interface StateMachineInput {
  name: string;
  arn?: string;
  type?: StateMachineType;
  definition: string;
  roleArn?: string;
  owner?: string;
}

/** An interpreter for an already validated (prepared) definition. */
export const interpreterFor = (definition: StateMachineDefinition) =>
  new StateMachine(definition, { validationOptions: { noValidate: true } });

const defaultRoleArn = (accountId: string) => `arn:aws:iam::${accountId}:role/local-stepfunctions`;

const invalidDefinition = (reason: string) =>
  new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: '${reason}'`);

/** Each Task state with its local integration; throws for one the local runtime lacks. */
const bindTasks = (tasks: TaskSpec[], type: StateMachineType, deps: IntegrationDeps) =>
  tasks.map((spec) => {
    const integration = integrationFor(spec.resource, deps);
    if (!integration) {
      throw invalidDefinition(
        `the resource ${spec.resource} of state ${spec.stateName} is not supported by the local Step Functions; supported: ${SUPPORTED_RESOURCES.join(', ')}`,
      );
    }
    if (type === 'EXPRESS' && integration.callback) {
      throw invalidDefinition(
        `Express state machine does not support '.waitForTaskToken' service integration (state ${spec.stateName})`,
      );
    }
    return { spec, integration };
  });

const machineType = (type: StateMachineType | undefined): StateMachineType => {
  const checked = type ?? 'STANDARD';
  if (checked !== 'STANDARD' && checked !== 'EXPRESS') {
    throw new SfnApiError('ValidationException', `Invalid state machine type: ${checked}`);
  }
  return checked;
};

/**
 * A state machine from CreateStateMachine's input (a known ARN keeps its creation date).
 * Throws `InvalidDefinition` for an invalid definition, a Task resource the local runtime
 * lacks, or a callback task in an Express machine (which AWS rejects too).
 */
export const buildStateMachine = (
  ctx: EngineContext,
  input: StateMachineInput,
): LocalStateMachine => {
  const name = validName(input.name);
  const arn = input.arn ?? `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`;
  if (!STATE_MACHINE_ARN.test(arn)) throw new SfnApiError('InvalidArn', `Invalid Arn: '${arn}'`);
  const type = machineType(input.type);
  const prepared = prepareDefinition(parseDefinition(input.definition));
  const tasks = bindTasks(prepared.tasks, type, ctx.deps);
  return {
    name,
    arn,
    type,
    definition: input.definition,
    roleArn: input.roleArn ?? defaultRoleArn(ctx.accountId),
    creationDate: ctx.registry.machine(arn)?.creationDate ?? new Date(),
    interpreter: interpreterFor(prepared.definition),
    prepared: prepared.definition,
    ...(input.owner ? { owner: input.owner } : {}),
    tasks,
  };
};

/** Stands in for a state machine that is gone, so that its executions can be described. */
export const goneMachine = (record: StoredExecution, accountId: string): LocalStateMachine => {
  const prepared = {
    StartAt: 'Gone',
    States: { Gone: { Type: 'Fail', Error: 'States.Runtime' } },
  } as unknown as StateMachineDefinition;
  return {
    name: record.stateMachineName,
    arn: record.stateMachineArn,
    ...(record.owner ? { owner: record.owner } : {}),
    gone: true,
    type: 'STANDARD',
    definition: JSON.stringify(prepared),
    roleArn: defaultRoleArn(accountId),
    creationDate: new Date(record.startDate),
    interpreter: interpreterFor(prepared),
    prepared,
    tasks: [],
  };
};
