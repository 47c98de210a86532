import type { EngineContext } from './context';
import type { RunningExecution } from './execution';
import { detailsKey, eventData, recordEvent, saveExecution } from './history';

/**
 * Mirrors the interpreter's state events into an execution's history and follows the
 * top-level state it is in (Task events come from the task attempt, execution events from
 * its end).
 */

/** What the interpreter's `eventLogs` yield (its type is not exported). */
interface InterpreterEvent {
  type: string;
  timestamp: number;
  state?: InterpreterState;
  index?: number;
  parentState?: { name: string };
}

interface InterpreterState {
  name: string;
  type: string;
  input?: unknown;
  output?: unknown;
}

const isComposite = (state: InterpreterState) => state.type === 'Map' || state.type === 'Parallel';

/** Follows the top-level state an execution is in (nested Map and Parallel states are not). */
const trackPosition = (
  exec: RunningExecution,
  event: InterpreterEvent,
): 'new' | 'reentered' | 'nested' => {
  const state = event.state;
  if (!state || event.index !== undefined || exec.composite) return 'nested';
  if (!(state.name in exec.machine.prepared.States)) return 'nested';
  if (isComposite(state)) exec.composite = state.name;
  const resuming = exec.resuming;
  if (resuming && !resuming.reentered && resuming.state === state.name) {
    resuming.reentered = true;
    // The state it was interrupted in: its entry (and entry time) are in the history already.
    if (resuming.position) {
      exec.position = resuming.position;
      return 'reentered';
    }
  }
  exec.position = {
    state: state.name,
    input: state.input ?? null,
    enteredAt: new Date(event.timestamp),
  };
  return 'new';
};

/** `<Type>StateEntered` with the state's input, or `<Type>StateExited` with its output. */
const recordStateChange = (
  ctx: EngineContext,
  exec: RunningExecution,
  state: InterpreterState,
  change: 'Entered' | 'Exited',
  at: Date,
) => {
  const member = change === 'Entered' ? 'input' : 'output';
  recordEvent(
    ctx.store,
    exec,
    `${state.type}State${change}`,
    { [`state${change}EventDetails`]: { name: state.name, ...eventData(member, state[member]) } },
    at,
  );
};

const onStateEntered = (ctx: EngineContext, exec: RunningExecution, event: InterpreterEvent) => {
  const state = event.state;
  if (!state) return;
  exec.currentState = state.name;
  if (trackPosition(exec, event) === 'reentered') {
    saveExecution(ctx.store, exec);
    return;
  }
  ctx.registry.countTransition(exec);
  recordStateChange(ctx, exec, state, 'Entered', new Date(event.timestamp));
};

const onStateExited = (ctx: EngineContext, exec: RunningExecution, event: InterpreterEvent) => {
  const state = event.state;
  if (!state) return;
  if (exec.currentState === state.name) exec.currentState = undefined;
  if (exec.composite === state.name && event.index === undefined) exec.composite = undefined;
  recordStateChange(ctx, exec, state, 'Exited', new Date(event.timestamp));
};

const onStateFailed = (ctx: EngineContext, exec: RunningExecution, event: InterpreterEvent) => {
  const state = event.state;
  if (state && isComposite(state)) {
    recordEvent(ctx.store, exec, `${state.type}StateFailed`, {}, new Date(event.timestamp));
  }
};

const onMapIteration = (ctx: EngineContext, exec: RunningExecution, event: InterpreterEvent) => {
  recordEvent(
    ctx.store,
    exec,
    event.type,
    { [detailsKey(event.type)]: { name: event.parentState?.name, index: event.index } },
    new Date(event.timestamp),
  );
};

type EventHandler = (ctx: EngineContext, exec: RunningExecution, event: InterpreterEvent) => void;

// Execution events are recorded by its end; retries and catches have no AWS event.
const HANDLERS = new Map<string, EventHandler>([
  ['StateEntered', onStateEntered],
  ['StateExited', onStateExited],
  ['StateRetried', (ctx, exec) => ctx.registry.countTransition(exec)],
  ['StateFailed', onStateFailed],
  ['MapIterationStarted', onMapIteration],
  ['MapIterationSucceeded', onMapIteration],
  ['MapIterationFailed', onMapIteration],
]);

/** Consumes a run's event stream until the interpreter closes it. */
export const mirrorInterpreterEvents = async (
  ctx: EngineContext,
  exec: RunningExecution,
  events: AsyncGenerator<unknown>,
) => {
  for await (const raw of events) {
    // Detached by a stop: what it did from then on is not its history (it resumes from before).
    if (exec.detached) continue;
    const event = raw as InterpreterEvent;
    HANDLERS.get(event.type)?.(ctx, exec, event);
  }
};
