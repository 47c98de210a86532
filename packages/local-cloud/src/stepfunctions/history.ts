import type { RunningExecution } from './execution';
import type { HistoryEvent } from './model';
import type { ExecutionStore } from './persistence';
import { toStoredExecution } from './snapshot';

/** Appends events to an execution's history and keeps a persisted one saved. */

/** A value as history event data: JSON text, `null` for nothing. */
export const json = (value: unknown) => JSON.stringify(value ?? null);

/** The details member of an event type: `TaskFailed` → `taskFailedEventDetails`. */
export const detailsKey = (type: string) =>
  `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;

/** `{output, outputDetails}` (or `input`, …) of an event's details, as AWS writes them. */
export const eventData = (member: 'input' | 'output', value: unknown) => ({
  [member]: json(value),
  [`${member}Details`]: { truncated: false },
});

/** Saves a running persisted execution (written once per turn of the event loop). */
export const saveExecution = (store: ExecutionStore | undefined, exec: RunningExecution) => {
  if (store && exec.persisted && !exec.detached && exec.status === 'RUNNING') {
    store.changed(exec.arn, () => toStoredExecution(exec));
  }
};

/** Appends an event to the history (none once detached by a stop) and saves the execution. */
export const recordEvent = (
  store: ExecutionStore | undefined,
  exec: RunningExecution,
  type: string,
  details: HistoryEvent['details'] = {},
  timestamp = new Date(),
) => {
  // Detached by a stop: the state folder keeps it as it was, to be resumed.
  if (exec.detached) return;
  const id = exec.history.length + 1;
  exec.history.push({ id, previousEventId: id - 1, timestamp, type, details });
  saveExecution(store, exec);
};
