import { readFile, writeFile } from 'node:fs/promises';

/**
 * Where each stream shard was read up to (the last sequence number handed to the function),
 * by `<stream ARN>|<shard id>`; kept in a JSON file when one is given, so that a restart
 * neither loses nor replays records. Saves run one after another.
 */
export class StreamCheckpoints {
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly saved: Record<string, string>,
    private readonly file: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  /** The checkpoints in `file` (none when it is missing or unreadable, or no file is given). */
  static async load(file: string | undefined, log: (line: string) => void) {
    const saved = file
      ? await readFile(file, 'utf8')
          .then((text) => JSON.parse(text) as Record<string, string>)
          .catch(() => ({}))
      : {};
    return new StreamCheckpoints(saved, file, log);
  }

  get(streamArn: string, shardId: string): string | undefined {
    return this.saved[`${streamArn}|${shardId}`];
  }

  save(streamArn: string, shardId: string, sequenceNumber: string): void {
    this.saved[`${streamArn}|${shardId}`] = sequenceNumber;
    const { file } = this;
    if (!file) return;
    this.#saving = this.#saving.then(() =>
      writeFile(file, `${JSON.stringify(this.saved, null, 2)}\n`).catch((error: unknown) =>
        this.log(`[streams] could not save checkpoints: ${String(error)}`),
      ),
    );
  }

  /** Resolves once the saves asked for so far are written. */
  flushed(): Promise<void> {
    return this.#saving;
  }
}
