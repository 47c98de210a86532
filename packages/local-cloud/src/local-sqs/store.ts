import { Queue } from './queue';

/** The account fauxqs and other emulators write into URLs; taken as the local account. */
const EMULATOR_ACCOUNT = '000000000000';

/**
 * The queues of one local account and region, found by name, by URL (whatever host the client
 * used: `<any host>/<account>/<name>`) or by ARN. `version` grows with every change of a queue
 * or its messages (the state file saves when it moved).
 */
export class QueueStore {
  private readonly queues = new Map<string, Queue>();
  version = 0;

  constructor(
    readonly endpoint: string,
    readonly region: string,
    readonly accountId: string,
  ) {}

  urlOf(name: string): string {
    return `${this.endpoint}/${this.accountId}/${name}`;
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  readonly changed = () => {
    this.version++;
  };

  create(
    name: string,
    attributes: Record<string, string>,
    tags: Record<string, string>,
    createdTimestamp?: number,
  ): Queue {
    const queue = new Queue(
      name,
      this.arnOf(name),
      attributes,
      tags,
      this.changed,
      createdTimestamp,
    );
    this.queues.set(name, queue);
    this.changed();
    return queue;
  }

  delete(queue: Queue): void {
    queue.cancelWaiters();
    this.queues.delete(queue.name);
    this.changed();
  }

  byName(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  byUrl(url: string): Queue | undefined {
    const match = /^https?:\/\/[^/]+\/(\d{12})\/([^/?#]+)$/.exec(url);
    if (!match || !this.isLocalAccount(match[1])) return undefined;
    return this.byName(match[2] as string);
  }

  /** By ARN in this region, whatever its account: there is only the local one. */
  byArn(arn: string): Queue | undefined {
    const parts = arn.split(':');
    if (parts.length !== 6 || parts[2] !== 'sqs' || parts[3] !== this.region) return undefined;
    return this.byName(parts[5] as string);
  }

  list(): Queue[] {
    return [...this.queues.values()];
  }

  /** Ends every long poll (the server stops). */
  cancelWaiters(): void {
    for (const queue of this.queues.values()) queue.cancelWaiters();
  }

  private isLocalAccount(account: string | undefined): boolean {
    return account === this.accountId || account === EMULATOR_ACCOUNT;
  }
}
