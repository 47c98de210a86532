import './polyfill';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { InvokeLambda } from '../lambda';
import { localCredentials } from '../util';
import { createEngine } from './engine';
import { learnTimeoutErrorClass } from './errors';
import type { ExecutionSummary, StateMachineType } from './model';
import { createExecutionStore } from './persistence';
import { startSfnServer } from './server';
import { createTaskTokens } from './tokens';

export { SUPPORTED_RESOURCES } from './integrations';
export type { ExecutionStatus, ExecutionSummary, StateMachineType } from './model';
export { stateMachinesFromTemplate, type TemplateStateMachine } from './template';

export interface LocalStepFunctions {
  endpoint: string;
  /**
   * Creates a state machine, or replaces the one with that ARN. Throws (`InvalidDefinition`)
   * for an invalid definition or a Task resource the local runtime does not implement.
   */
  createStateMachine(input: {
    name: string;
    arn?: string;
    type: StateMachineType;
    /** The ASL definition as JSON text. */
    definition: string;
    /** Who creates it (the stack: the service whose template has it), kept with executions. */
    owner?: string;
  }): { arn: string; name: string; type: StateMachineType };
  /** Every execution still remembered (the newest 5000 finished ones and all running ones). */
  executions(): ExecutionSummary[];
  /**
   * With a `stateFile`: goes on with the Standard executions that were RUNNING when the local
   * Step Functions last stopped, each from the state it was in. Call it once the state machines
   * are created and the functions their tasks invoke answer. One whose state machine is gone
   * is failed with the reason, unless `later(owner)` says its owner is just not running this
   * time: then it stays in the state file for a later start.
   */
  resumeExecutions(options?: {
    later?: (owner: string) => boolean;
  }): Promise<{ resumed: number; failed: number; later: number }>;
  /**
   * Stops running executions: with a `stateFile` the Standard ones stay RUNNING there, to be
   * resumed by the next start; the others are aborted. New executions are refused. The endpoint
   * keeps answering until `stop`.
   */
  suspend(): Promise<void>;
  /** `suspend`, then closes the endpoint. */
  stop(): Promise<void>;
}

/**
 * A local AWS Step Functions: the API over its awsJson1_0 wire protocol on 127.0.0.1:`port`,
 * executions run on aws-local-stepfunctions with the service integrations our workflows use
 * implemented against the local endpoints (DynamoDB, EventBridge, Lambda through
 * `invokeLambda`, SFN task-token callbacks).
 *
 * Clients: `new SFNClient({endpoint, region, credentials, disableHostPrefix: true})`. The
 * SDK sends StartSyncExecution to the host `sync-<endpoint host>`, which does not resolve
 * locally; `disableHostPrefix` keeps it on the endpoint.
 */
export const startLocalStepFunctions = async (options: {
  port: number;
  region: string;
  accountId: string;
  endpoints: { dynamodb: string; events: string };
  invokeLambda: InvokeLambda;
  log?: (line: string) => void;
  /**
   * Keep Standard executions in this file (and the finished ones beside it, `…-finished.jsonl`)
   * so that a restart resumes them; default: in memory only.
   */
  stateFile?: string;
}): Promise<LocalStepFunctions> => {
  await learnTimeoutErrorClass();
  const log = options.log ?? (() => undefined);
  const clientConfig = { region: options.region, credentials: localCredentials };
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: options.endpoints.dynamodb });
  const events = new EventBridgeClient({ ...clientConfig, endpoint: options.endpoints.events });
  const tokens = createTaskTokens();
  const engine = createEngine({
    region: options.region,
    accountId: options.accountId,
    deps: { dynamodb, events, invokeLambda: options.invokeLambda, tokens, log },
    ...(options.stateFile ? { store: createExecutionStore({ file: options.stateFile, log }) } : {}),
  });
  const loaded = await engine.loadExecutions();
  if (loaded.running.length > 0) {
    log(`[sfn] ${loaded.running.length} executions to resume from ${options.stateFile}`);
  }
  let suspended: Promise<void> | undefined;
  const suspend = () => {
    suspended ??= engine.stopAll();
    return suspended;
  };
  const server = await startSfnServer({ port: options.port, engine, tokens });
  return {
    endpoint: server.endpoint,
    createStateMachine(input) {
      const machine = engine.createStateMachine(input);
      log(`[sfn] state machine ${machine.name} (${machine.type}) ready`);
      return { arn: machine.arn, name: machine.name, type: machine.type };
    },
    executions: () => engine.executions(),
    async resumeExecutions(resumeOptions) {
      const counts = await engine.resumeExecutions(resumeOptions);
      if (counts.resumed + counts.failed + counts.later > 0) {
        log(
          `[sfn] resumed ${counts.resumed} executions${counts.failed ? `, failed ${counts.failed} that could not go on` : ''}${counts.later ? `, kept ${counts.later} for a start with their service` : ''}`,
        );
      }
      return counts;
    },
    suspend,
    async stop() {
      await suspend();
      await server.stop();
      dynamodb.destroy();
      events.destroy();
    },
  };
};
