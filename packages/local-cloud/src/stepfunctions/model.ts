import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import type { TaskSpec } from './definition';
import type { Integration } from './integrations';

/** The shapes the local Step Functions answers with: state machines, executions, histories. */

export type StateMachineType = 'STANDARD' | 'EXPRESS';
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One event of an execution's history, as GetExecutionHistory returns it. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  type: string;
  /** The event's `<type>EventDetails` member(s), e.g. `{stateEnteredEventDetails: {name, input}}`. */
  details: Record<string, Record<string, unknown>>;
}

export interface LocalStateMachine {
  name: string;
  arn: string;
  type: StateMachineType;
  definition: string;
  roleArn: string;
  creationDate: Date;
  interpreter: StateMachine;
  /** The definition the interpreter runs (see `prepareDefinition`), to resume from a state. */
  prepared: StateMachineDefinition;
  /** Who created it (locally: the service whose template has it), kept with its executions. */
  owner?: string;
  /** A stand-in for a machine that executions read back from the state folder name. */
  gone?: boolean;
  tasks: { spec: TaskSpec; integration: Integration }[];
}

export interface LocalExecution {
  arn: string;
  name: string;
  machine: LocalStateMachine;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** States entered plus retries: what AWS bills for a Standard workflow. */
  stateTransitions: number;
  /** The state entered last and not yet left. */
  currentState?: string;
  /** How many times a start of the local stack resumed it (persisted Standard executions). */
  resumes: number;
  /** Resolves once the execution ended and its history is complete. */
  done: Promise<void>;
}

/** A line per execution for a status page. */
export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  type: StateMachineType;
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  stateTransitions: number;
  currentState?: string;
  error?: string;
  cause?: string;
  /** Set when a start of the local stack resumed it after a restart. */
  resumes?: number;
}

/**
 * What this engine ran since it started, by state machine type, counted as it happens (not from
 * the kept executions, which are capped): executions started and state transitions.
 */
export type EngineUsage = Record<StateMachineType, { executions: number; transitions: number }>;
