import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionStatus } from './model';

/** A history event as stored: the timestamp as ISO text. */
export interface StoredHistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  details: Record<string, Record<string, unknown>>;
}

/** One Standard execution as the state folder keeps it. */
export interface StoredExecution {
  arn: string;
  name: string;
  stateMachineArn: string;
  stateMachineName: string;
  input: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate?: string;
  output?: string;
  error?: string;
  cause?: string;
  stateTransitions: number;
  history: StoredHistoryEvent[];
  /**
   * Where a running execution is: the top-level state entered last, its input and when it was
   * entered (and when its current task attempt started), to resume it from there.
   */
  at?: { state: string; input: unknown; enteredAt: string; taskStartedAt?: string };
  /** Every task token issued to it: after a restart they answer `TaskTimedOut`. */
  tokens: string[];
  /** How many times a start of the local stack resumed it. */
  resumes: number;
  /** Its state machine's owner (the service whose template has it). */
  owner?: string;
}

export interface LoadedExecutions {
  running: StoredExecution[];
  finished: StoredExecution[];
}

/** Finished executions read back at a start, the newest first kept. */
export const KEPT_FINISHED_ACROSS_RESTARTS = 1000;

const writeAtomically = async (file: string, text: string) => {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
};

const parseLines = (text: string): { records: StoredExecution[]; bad: number } => {
  const records: StoredExecution[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as StoredExecution);
    } catch {
      // A line cut short by a crash mid-append.
      bad += 1;
    }
  }
  return { records, bad };
};

/** The running executions a previous run left; an unreadable file is moved aside. */
const readRunning = async (
  file: string,
  log: (line: string) => void,
): Promise<StoredExecution[]> => {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  try {
    return (JSON.parse(text) as { executions: StoredExecution[] }).executions ?? [];
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    await rename(file, aside).catch(() => undefined);
    log(`[sfn] ${file} is not readable (${String(error)}); moved to ${aside}`);
    return [];
  }
};

/** The newest finished executions; the file is compacted to them (and cut lines dropped). */
const readFinished = async (finishedFile: string): Promise<StoredExecution[]> => {
  const lines = await readFile(finishedFile, 'utf8').catch(() => '');
  const parsed = parseLines(lines);
  const finished = parsed.records.slice(-KEPT_FINISHED_ACROSS_RESTARTS);
  if (parsed.bad > 0 || finished.length < parsed.records.length) {
    await writeAtomically(
      finishedFile,
      finished.map((record) => `${JSON.stringify(record)}\n`).join(''),
    );
  }
  return finished;
};

/**
 * The state folder's record of Standard executions: `executions.json` holds the running ones
 * (rewritten atomically — temp file and rename — after each change), `executions-finished.jsonl`
 * the finished ones (a line appended as each ends, compacted to the newest 1000 at load).
 * Changes made in one turn of the event loop are written together; one write at a time.
 */
export const createExecutionStore = (options: { file: string; log: (line: string) => void }) => {
  const { file, log } = options;
  const finishedFile = path.join(
    path.dirname(file),
    `${path.basename(file, '.json')}-finished.jsonl`,
  );
  /** The JSON of each running execution as last written. */
  const written = new Map<string, string>();
  const changed = new Map<string, () => StoredExecution>();
  const finishedLines: string[] = [];
  let runningChanged = false;
  let writing: Promise<void> | undefined;

  const writeOnce = async () => {
    const lines = finishedLines.splice(0);
    if (lines.length > 0) await appendFile(finishedFile, `${lines.join('\n')}\n`);
    if (!runningChanged) return;
    runningChanged = false;
    for (const [arn, snapshot] of changed) written.set(arn, JSON.stringify(snapshot()));
    changed.clear();
    await writeAtomically(
      file,
      `{"version":1,"executions":[\n${[...written.values()].join(',\n')}\n]}\n`,
    );
  };

  const kick = () => {
    writing ??= (async () => {
      // Let the rest of this turn's changes in.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        while (runningChanged || finishedLines.length > 0) await writeOnce();
      } catch (error) {
        log(`[sfn] could not save the executions to ${file}: ${String(error)}`);
      } finally {
        writing = undefined;
      }
    })();
  };

  return {
    file,
    finishedFile,

    /** Reads what a previous run left; the running ones are kept in the file until replaced. */
    async load(): Promise<LoadedExecutions> {
      await mkdir(path.dirname(file), { recursive: true });
      const stillRunning = await readRunning(file, log);
      const finished = await readFinished(finishedFile);
      // An execution that ended just before a crash may be in both files: its end wins.
      const ended = new Set(finished.map((record) => record.arn));
      const running = stillRunning.filter((record) => !ended.has(record.arn));
      for (const record of running) written.set(record.arn, JSON.stringify(record));
      return { running, finished };
    },

    /** A running execution changed: `snapshot` is read when the next write happens. */
    changed(arn: string, snapshot: () => StoredExecution) {
      changed.set(arn, snapshot);
      runningChanged = true;
      kick();
    },

    /** An execution ended: appended to the finished ones, dropped from the running ones. */
    finished(record: StoredExecution) {
      changed.delete(record.arn);
      written.delete(record.arn);
      finishedLines.push(JSON.stringify(record));
      runningChanged = true;
      kick();
    },

    /** Resolves once everything changed so far is on disk. */
    async flush() {
      while (writing) await writing;
    },
  };
};

export type ExecutionStore = ReturnType<typeof createExecutionStore>;
