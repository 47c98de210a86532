import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Position } from './execution';
import { interpreterFor } from './state-machine';

/**
 * The definition a resumed execution runs: the machine's, starting at the state a restart
 * interrupted; a `Wait` state there waits until its original end, and the execution's
 * `TimeoutSeconds` counts from its start.
 */

type InterpreterInput = Parameters<StateMachine['run']>[0];
type JsonObject = Record<string, unknown>;

/** A state's `SecondsPath` read from its input (the interpreter resolves it, as on entry). */
const readSecondsPath = async (path: string, input: unknown): Promise<unknown> => {
  const probe = interpreterFor({
    StartAt: 'Read',
    States: { Read: { Type: 'Pass', Parameters: { 'seconds.$': path }, End: true } },
  } as unknown as StateMachineDefinition);
  return probe
    .run(input as InterpreterInput)
    .result.then((output) => (output as { seconds?: unknown }).seconds)
    .catch(() => undefined);
};

/** A `Wait` state of `Seconds`/`SecondsPath` as one waiting until its original end. */
const waitUntilOriginalEnd = async (state: JsonObject, position: Position): Promise<JsonObject> => {
  const seconds =
    typeof state.SecondsPath === 'string'
      ? await readSecondsPath(state.SecondsPath, position.input)
      : state.Seconds;
  if (typeof seconds !== 'number') return state;
  const { Seconds: _seconds, SecondsPath: _path, ...rest } = state;
  return {
    ...rest,
    Timestamp: new Date(position.enteredAt.getTime() + seconds * 1000).toISOString(),
  };
};

const isRelativeWait = (state: JsonObject | undefined): state is JsonObject =>
  state?.Type === 'Wait' && (state.Seconds !== undefined || Boolean(state.SecondsPath));

export const resumedDefinition = async (
  prepared: StateMachineDefinition,
  position: Position,
  startDate: Date,
): Promise<StateMachineDefinition> => {
  const definition = prepared as unknown as JsonObject;
  const states = { ...(definition.States as Record<string, JsonObject>) };
  const state = states[position.state];
  if (isRelativeWait(state)) states[position.state] = await waitUntilOriginalEnd(state, position);
  const resumed: JsonObject = { ...definition, StartAt: position.state, States: states };
  if (typeof definition.TimeoutSeconds === 'number') {
    const elapsed = (Date.now() - startDate.getTime()) / 1000;
    resumed.TimeoutSeconds = Math.max(0.001, definition.TimeoutSeconds - elapsed);
  }
  return resumed as unknown as StateMachineDefinition;
};
