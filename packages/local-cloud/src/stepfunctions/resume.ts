import type { EngineContext } from './context';
import type { RunningExecution } from './execution';
import { endExecution } from './execution-end';
import { runExecution } from './execution-run';
import { saveExecution } from './history';
import type { LocalStateMachine } from './model';
import type { LoadedExecutions, StoredExecution } from './persistence';
import { resumedDefinition } from './resumed-definition';
import { fromStoredExecution, positionOf } from './snapshot';
import { goneMachine, interpreterFor } from './state-machine';

/**
 * Across restarts: reads back the executions a previous run left in the state folder, and
 * goes on with the running ones from the top-level state each was in.
 */

export interface ResumeCounts {
  resumed: number;
  failed: number;
  later: number;
}

/** An execution as the state folder kept it (counted as an execution the engine ran). */
const restoreExecution = (
  ctx: EngineContext,
  record: StoredExecution,
  machine: LocalStateMachine,
): RunningExecution => {
  ctx.registry.countExecution(machine.type);
  return fromStoredExecution(record, machine);
};

const machineOrStandIn = (ctx: EngineContext, record: StoredExecution) =>
  ctx.registry.machine(record.stateMachineArn) ?? goneMachine(record, ctx.accountId);

/**
 * Reads the state folder: the finished executions can be described again and the tokens
 * issued before answer `TaskTimedOut`; the running ones are returned, to be resumed.
 */
export const loadStoredExecutions = async (ctx: EngineContext): Promise<LoadedExecutions> => {
  if (!ctx.store) return { running: [], finished: [] };
  const loaded = await ctx.store.load();
  for (const record of [...loaded.finished, ...loaded.running]) {
    ctx.deps.tokens.retire(record.tokens);
  }
  for (const record of loaded.finished) {
    if (ctx.registry.execution(record.arn)) continue;
    const exec = restoreExecution(ctx, record, machineOrStandIn(ctx, record));
    ctx.registry.addExecution(exec);
    ctx.registry.remember(exec);
  }
  return loaded;
};

/** Fails a stored execution that cannot go on, with the reason in its history. */
const failRestored = (ctx: EngineContext, exec: RunningExecution, cause: string) => {
  exec.finished = true;
  ctx.registry.addExecution(exec);
  endExecution(ctx, exec, { status: 'FAILED', error: 'States.Runtime', cause });
};

const notResumable = (what: string) =>
  `${what}: the execution could not be resumed after the local Step Functions restarted`;

/** Goes on with a stored running execution from the state it was in. */
const resumeExecution = async (
  ctx: EngineContext,
  record: StoredExecution,
): Promise<'resumed' | 'failed'> => {
  const machine = ctx.registry.machine(record.stateMachineArn);
  if (machine?.type !== 'STANDARD') {
    const exec = restoreExecution(ctx, record, goneMachine(record, ctx.accountId));
    const cause = `The state machine ${record.stateMachineName} no longer exists`;
    failRestored(ctx, exec, notResumable(cause));
    return 'failed';
  }
  const exec = restoreExecution(ctx, record, machine);
  const startAt = record.at?.state ?? (machine.prepared.StartAt as string);
  if (!(startAt in machine.prepared.States)) {
    const cause = `The state ${startAt} no longer exists in the state machine ${machine.name}`;
    failRestored(ctx, exec, notResumable(cause));
    return 'failed';
  }
  const position = positionOf(record);
  const input = position ? position.input : JSON.parse(record.input);
  exec.position = position;
  exec.resuming = { state: startAt, reentered: false, taskResumed: false, position };
  exec.resumes += 1;
  ctx.registry.addExecution(exec);
  const definition = await resumedDefinition(
    machine.prepared,
    position ?? { state: startAt, input, enteredAt: exec.startDate },
    exec.startDate,
  );
  ctx.log(`[sfn] ${machine.name} ${exec.name} resumed at ${startAt}`);
  saveExecution(ctx.store, exec);
  runExecution(ctx, exec, interpreterFor(definition), input);
  return 'resumed';
};

/**
 * Goes on with each of `pending` from the state it was in; one whose state machine or state
 * is gone is failed with the reason. One whose machine does not exist and whose owner
 * `later(owner)` says is just not running is handed to `keep` as it is.
 */
export const resumeStoredExecutions = async (
  ctx: EngineContext,
  pending: StoredExecution[],
  options: { later?: (owner: string) => boolean; keep: (record: StoredExecution) => void },
): Promise<ResumeCounts> => {
  const counts = { resumed: 0, failed: 0, later: 0 };
  for (const record of pending) {
    // A finished one restored from the other file is kept as it ended.
    const known = ctx.registry.execution(record.arn);
    if (known && known.status !== 'RUNNING') continue;
    if (
      !ctx.registry.machine(record.stateMachineArn) &&
      record.owner !== undefined &&
      options.later?.(record.owner)
    ) {
      options.keep(record);
      counts.later += 1;
      continue;
    }
    counts[await resumeExecution(ctx, record)] += 1;
  }
  return counts;
};
