import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { StoredMessageSchema } from './messages';
import type { QueueStore } from './store';

const StateSchema = z.object({
  version: z.literal(1),
  queues: z.array(
    z.object({
      name: z.string(),
      arn: z.string(),
      attributes: z.record(z.string(), z.string()),
      tags: z.record(z.string(), z.string()),
      createdTimestamp: z.number(),
      sequenceCounter: z.number(),
      /** In-flight messages first (they become visible again), then ready, then delayed ones. */
      messages: z.array(StoredMessageSchema),
    }),
  ),
});
type State = z.infer<typeof StateSchema>;

/** Puts back the queues and messages saved in `file`, when it exists. */
export const restoreState = async (store: QueueStore, file: string): Promise<void> => {
  if (!existsSync(file)) return;
  let state: State;
  try {
    state = StateSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (error) {
    throw new Error(
      `the local SQS state file ${file} cannot be read (${String(error)}); delete it to start empty`,
    );
  }
  for (const saved of state.queues) {
    const queue = store.create(saved.name, saved.attributes, saved.tags, saved.createdTimestamp);
    queue.sequenceCounter = saved.sequenceCounter;
    for (const message of saved.messages) queue.enqueue(message);
  }
};

/** The store as the state file keeps it; in-flight messages are saved as visible again. */
const snapshot = (store: QueueStore): State => ({
  version: 1,
  queues: store.list().map((queue) => {
    const { ready, delayed, inFlight } = queue.inspect();
    const returning = inFlight
      .map((entry) => entry.message)
      .sort((a, b) =>
        a.sequenceNumber && b.sequenceNumber
          ? a.sequenceNumber.localeCompare(b.sequenceNumber)
          : a.sentTimestamp - b.sentTimestamp,
      );
    return {
      name: queue.name,
      arn: queue.arn,
      attributes: { ...queue.attributes },
      tags: Object.fromEntries(queue.tags),
      createdTimestamp: queue.createdTimestamp,
      sequenceCounter: queue.sequenceCounter,
      messages: [...returning, ...ready, ...delayed],
    };
  }),
});

/**
 * Saves the store to `file` every `intervalMs` when it changed, and on `stop`: whole, through a
 * rename, one save after another.
 */
export class StateSaver {
  #saving: Promise<void> = Promise.resolve();
  #savedVersion: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly store: QueueStore,
    private readonly file: string,
    intervalMs: number,
  ) {
    this.#savedVersion = store.version;
    this.#timer = setInterval(() => {
      if (store.version !== this.#savedVersion) void this.save();
    }, intervalMs);
    this.#timer.unref();
  }

  save(): Promise<void> {
    this.#saving = this.#saving.then(() => this.write());
    return this.#saving;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.save();
  }

  private async write(): Promise<void> {
    const version = this.store.version;
    const text = JSON.stringify(snapshot(this.store));
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(`${this.file}.tmp`, text);
      await rename(`${this.file}.tmp`, this.file);
      this.#savedVersion = version;
    } catch (error) {
      console.error(`[local-sqs] could not save ${this.file}:`, error);
    }
  }
}
