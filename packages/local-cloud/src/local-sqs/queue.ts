import { randomUUID } from 'node:crypto';
import type { StoredMessage } from './messages';

/** What a queue's attributes are when CreateQueue does not set them. */
export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  VisibilityTimeout: '30',
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
};

/** The attributes CreateQueue and SetQueueAttributes take. */
export const SETTABLE_ATTRIBUTES = [
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'Policy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
];

/** `GetQueueAttributes` with `All`, in this order. */
export const ALL_ATTRIBUTE_NAMES = [
  'QueueArn',
  ...SETTABLE_ATTRIBUTES,
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'DeduplicationScope',
  'FifoThroughputLimit',
];

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** How often a queue with long polls waiting looks for ended visibility timeouts and delays. */
const TIMER_CHECK_MS = 20;
const DEFAULT_GROUP = '__default';

export interface InFlight {
  message: StoredMessage;
  receiptHandle: string;
  visibilityDeadline: number;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

const groupOf = (message: StoredMessage) => message.messageGroupId ?? DEFAULT_GROUP;

/**
 * One SQS queue's messages: ready, delayed and in flight (received, hidden for their
 * visibility timeout). A FIFO queue keeps its ready messages by message group, in order, and
 * hands out no message of a group while one of it is in flight. A message received more often
 * than the redrive policy's `maxReceiveCount` moves to the dead-letter queue instead.
 */
export class Queue {
  readonly createdTimestamp: number;
  lastModifiedTimestamp: number;
  sequenceCounter = 0;
  readonly attributes: Record<string, string>;
  readonly tags: Map<string, string>;
  /** Standard queues: ready messages in order. */
  private ready: StoredMessage[] = [];
  /** FIFO queues: ready messages by group, groups in the order they got messages. */
  private readyGroups = new Map<string, StoredMessage[]>();
  private delayed: StoredMessage[] = [];
  private readonly inFlight = new Map<string, InFlight>();
  private readonly deduplication = new Map<
    string,
    { messageId: string; sequenceNumber: string; at: number }
  >();
  private readonly waiters = new Set<() => void>();
  private timerCheck: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    readonly arn: string,
    attributes: Record<string, string>,
    tags: Record<string, string>,
    /** Called after every change of the queue's messages or attributes. */
    private readonly changed: () => void,
    createdTimestamp = Math.floor(Date.now() / 1000),
  ) {
    this.attributes = { ...DEFAULT_ATTRIBUTES, ...attributes };
    this.tags = new Map(Object.entries(tags));
    this.createdTimestamp = createdTimestamp;
    this.lastModifiedTimestamp = createdTimestamp;
  }

  isFifo(): boolean {
    return this.attributes.FifoQueue === 'true';
  }

  setAttributes(attributes: Record<string, string>): void {
    Object.assign(this.attributes, attributes);
    this.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
    this.changed();
  }

  /** An attribute as `GetQueueAttributes` gives it (counts after the timers that are due). */
  attribute(name: string): string | undefined {
    switch (name) {
      case 'QueueArn':
        return this.arn;
      case 'ApproximateNumberOfMessages':
        return String(this.counts().visible);
      case 'ApproximateNumberOfMessagesNotVisible':
        return String(this.counts().inFlight);
      case 'ApproximateNumberOfMessagesDelayed':
        return String(this.counts().delayed);
      case 'CreatedTimestamp':
        return String(this.createdTimestamp);
      case 'LastModifiedTimestamp':
        return String(this.lastModifiedTimestamp);
      default:
        return this.attributes[name];
    }
  }

  counts(): QueueCounts {
    this.processTimers();
    return {
      visible: this.readyMessages().length,
      inFlight: this.inFlight.size,
      delayed: this.delayed.length,
    };
  }

  /** Adds a message: ready, or delayed while its `delayUntil` is ahead. */
  enqueue(message: StoredMessage): void {
    if (message.delayUntil && message.delayUntil > Date.now()) this.delayed.push(message);
    else this.makeReady(message, 'back');
    this.changed();
  }

  /** The ready messages in the order a receive takes them (FIFO: group by group). */
  readyMessages(): StoredMessage[] {
    return this.isFifo() ? [...this.readyGroups.values()].flat() : [...this.ready];
  }

  /** The messages by state, for the state file. */
  inspect() {
    return {
      ready: this.readyMessages(),
      delayed: [...this.delayed],
      inFlight: [...this.inFlight.values()],
    };
  }

  /** Whether a receive would return a message now (FIFO: from a group nobody holds). */
  hasVisibleMessages(): boolean {
    this.processTimers();
    if (!this.isFifo()) return this.ready.length > 0;
    const locked = this.lockedGroups();
    for (const [group, messages] of this.readyGroups) {
      if (messages.length > 0 && !locked.has(group)) return true;
    }
    return false;
  }

  /**
   * Receives up to `max` messages (at most 10), hiding each for `visibilityTimeout` seconds
   * (the queue's when undefined). `deadLetterQueueOf` finds the redrive policy's queue.
   */
  receive(
    max: number,
    visibilityTimeout: number | undefined,
    deadLetterQueueOf: (arn: string) => Queue | undefined,
  ): InFlight[] {
    this.processTimers();
    const redrive = this.redrive(deadLetterQueueOf);
    const taken = this.isFifo()
      ? this.takeFromGroups(Math.min(max, 10), redrive)
      : this.takeInOrder(Math.min(max, 10), redrive);
    const seconds = visibilityTimeout ?? Number(this.attributes.VisibilityTimeout);
    const received = taken.map((message) => {
      const entry = {
        message,
        receiptHandle: randomUUID(),
        visibilityDeadline: Date.now() + seconds * 1000,
      };
      this.inFlight.set(entry.receiptHandle, entry);
      return entry;
    });
    if (received.length > 0) this.changed();
    return received;
  }

  isInFlight(receiptHandle: string): boolean {
    return this.inFlight.has(receiptHandle);
  }

  /** Deletes a received message; false when the handle is not in flight. */
  delete(receiptHandle: string): boolean {
    const entry = this.inFlight.get(receiptHandle);
    if (!entry) return false;
    this.inFlight.delete(receiptHandle);
    this.changed();
    // A FIFO group whose last in-flight message is gone can be received again.
    if (this.isFifo() && this.readyGroups.has(groupOf(entry.message))) this.notifyWaiters();
    return true;
  }

  /** Hides an in-flight message for `seconds` from now; 0 makes it visible at once. */
  changeVisibility(receiptHandle: string, seconds: number): void {
    const entry = this.inFlight.get(receiptHandle);
    if (!entry) return;
    if (seconds === 0) {
      this.inFlight.delete(receiptHandle);
      this.makeReady(entry.message, 'front');
    } else {
      entry.visibilityDeadline = Date.now() + seconds * 1000;
    }
    this.changed();
  }

  purge(): void {
    this.ready = [];
    this.readyGroups.clear();
    this.delayed = [];
    this.inFlight.clear();
    this.changed();
  }

  /** The earlier message a FIFO deduplication id was sent with in the last five minutes. */
  duplicateOf(deduplicationId: string): { messageId: string; sequenceNumber: string } | undefined {
    const entry = this.deduplication.get(deduplicationId);
    if (!entry || entry.at + DEDUPLICATION_WINDOW_MS <= Date.now()) return undefined;
    return entry;
  }

  /** Gives a FIFO message its sequence number and remembers its deduplication id. */
  sequence(message: StoredMessage, deduplicationId: string): void {
    this.sequenceCounter++;
    message.sequenceNumber = String(this.sequenceCounter).padStart(20, '0');
    this.deduplication.set(deduplicationId, {
      messageId: message.messageId,
      sequenceNumber: message.sequenceNumber,
      at: Date.now(),
    });
  }

  /** Resolves when messages may have become visible, after `ms`, or once `signal` aborts. */
  waitForMessages(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        if (this.waiters.size === 0) this.stopTimerCheck();
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal.addEventListener('abort', wake);
      this.waiters.add(wake);
      this.timerCheck ??= setInterval(() => this.processTimers(), TIMER_CHECK_MS);
    });
  }

  /** Ends every wait (the queue is deleted or the server stops). */
  cancelWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Brings back messages whose visibility timeout ended and delayed ones that are due. */
  processTimers(): void {
    const now = Date.now();
    let woke = false;
    for (const [handle, entry] of this.inFlight) {
      if (entry.visibilityDeadline > now) continue;
      this.inFlight.delete(handle);
      this.makeReady(entry.message, 'front');
      woke = true;
    }
    const due = this.delayed.filter((m) => !m.delayUntil || m.delayUntil <= now);
    if (due.length > 0) {
      this.delayed = this.delayed.filter((m) => !due.includes(m));
      for (const message of due) this.makeReady(message, 'back');
      woke = true;
    }
    if (woke) this.notifyWaiters();
  }

  /**
   * Makes a message ready. A standard queue puts it at the back; a FIFO queue puts a
   * returning message (`front`) before the rest of its group.
   */
  private makeReady(message: StoredMessage, where: 'front' | 'back'): void {
    if (this.isFifo()) {
      const group = this.readyGroups.get(groupOf(message)) ?? [];
      if (where === 'front') group.unshift(message);
      else group.push(message);
      this.readyGroups.set(groupOf(message), group);
    } else {
      this.ready.push(message);
    }
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    this.cancelWaiters();
  }

  private stopTimerCheck(): void {
    if (this.timerCheck) clearInterval(this.timerCheck);
    this.timerCheck = undefined;
  }

  private lockedGroups(): Set<string> {
    return new Set([...this.inFlight.values()].map((entry) => groupOf(entry.message)));
  }

  /** A function that moves a message received too often to the dead-letter queue (true). */
  private redrive(deadLetterQueueOf: (arn: string) => Queue | undefined) {
    let policy: { maxReceiveCount?: number; deadLetterTargetArn?: string } = {};
    try {
      policy = JSON.parse(this.attributes.RedrivePolicy || '{}');
    } catch {
      // an invalid policy redrives nothing
    }
    const { maxReceiveCount = Number.POSITIVE_INFINITY, deadLetterTargetArn } = policy;
    return (message: StoredMessage): boolean => {
      message.approximateReceiveCount++;
      message.approximateFirstReceiveTimestamp ??= Date.now();
      if (!deadLetterTargetArn || message.approximateReceiveCount <= maxReceiveCount) return false;
      const deadLetterQueue = deadLetterQueueOf(deadLetterTargetArn);
      deadLetterQueue?.enqueue(message);
      return deadLetterQueue !== undefined;
    };
  }

  private takeInOrder(max: number, redrive: (message: StoredMessage) => boolean) {
    const taken: StoredMessage[] = [];
    while (taken.length < max) {
      const message = this.ready.shift();
      if (!message) break;
      if (!redrive(message)) taken.push(message);
    }
    return taken;
  }

  /** One message from each group nobody holds, groups in order. */
  private takeFromGroups(max: number, redrive: (message: StoredMessage) => boolean) {
    const taken: StoredMessage[] = [];
    const locked = this.lockedGroups();
    for (const [group, messages] of this.readyGroups) {
      if (taken.length >= max) break;
      if (locked.has(group)) continue;
      for (let message = messages.shift(); message; message = messages.shift()) {
        if (redrive(message)) continue;
        taken.push(message);
        break;
      }
      if (messages.length === 0) this.readyGroups.delete(group);
    }
    return taken;
  }
}
