import { randomBytes } from 'node:crypto';
import { SfnApiError, TaskFailure } from './errors';
import { deferred } from './polyfill';

const TOKEN_PREFIX = 'AQCl';
/*
 * AWS does not document a task token's length (SendTask* accept up to 2048 characters); the
 * tokens Step Functions hands out are base64 strings of several hundred characters. Ours are as
 * long (684), so the order items that store them are as big — and cost as many write units — as
 * on AWS.
 */
const TOKEN_RANDOM_BYTES = 510;
export const TASK_TOKEN_LENGTH = TOKEN_PREFIX.length + (TOKEN_RANDOM_BYTES / 3) * 4;
const TOKEN_FORMAT = new RegExp(`^${TOKEN_PREFIX}[A-Za-z0-9_-]{${TASK_TOKEN_LENGTH - 4}}$`);
/** Closed tokens are remembered (to answer `TaskTimedOut`) up to this many, oldest dropped. */
const KEPT_CLOSED_TOKENS = 50_000;

interface TokenRecord {
  executionArn: string;
  open: boolean;
  outcome: ReturnType<typeof deferred<unknown>>;
  onHeartbeat?: () => void;
}

/** One task attempt's token, as the task handler sees it. */
export interface IssuedToken {
  value: string;
  /** Settles with SendTaskSuccess's output or rejects with SendTaskFailure's error. */
  outcome: Promise<unknown>;
  /** Called on every SendTaskHeartbeat. */
  onHeartbeat(listener: () => void): void;
}

const newRecord = (executionArn: string, open: boolean): TokenRecord => {
  const record: TokenRecord = { executionArn, open, outcome: deferred<unknown>() };
  // Nobody may await the outcome if the task fails before it waits.
  record.outcome.promise.catch(() => undefined);
  return record;
};

/** `token` if it has a task token's length and format; `ValidationException`/`InvalidToken`. */
const checkedToken = (token: unknown): string => {
  if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048",
    );
  }
  if (!TOKEN_FORMAT.test(token)) {
    throw new SfnApiError('InvalidToken', "Invalid Token: 'Unable to parse the task token'");
  }
  return token;
};

/** SendTaskSuccess's output parsed; `ValidationException`/`InvalidOutput`. */
const parsedOutput = (output: unknown): unknown => {
  if (typeof output !== 'string') {
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
    );
  }
  try {
    return JSON.parse(output);
  } catch {
    throw new SfnApiError('InvalidOutput', `Invalid Output: '${output.slice(0, 100)}'`);
  }
};

/**
 * Task tokens: one fresh, unguessable token per `.waitForTaskToken` task attempt, usable until
 * that attempt succeeds, fails or times out, and the callbacks that settle them (the
 * SendTask* API and the `aws-sdk:sfn:sendTask*` integrations). Errors are AWS's:
 * `InvalidToken` (not a token), `TaskDoesNotExist` (never issued here), `TaskTimedOut` (its
 * task already finished or timed out, or was interrupted by a restart), `InvalidOutput`.
 */
export class TaskTokens {
  private readonly tokens = new Map<string, TokenRecord>();
  /** The open tokens of each execution, to fail them when it stops. */
  private readonly openByExecution = new Map<string, Set<string>>();
  private readonly closedOrder: string[] = [];

  issue(executionArn: string): IssuedToken {
    const value = `${TOKEN_PREFIX}${randomBytes(TOKEN_RANDOM_BYTES).toString('base64url')}`;
    const record = newRecord(executionArn, true);
    this.tokens.set(value, record);
    const open = this.openByExecution.get(executionArn) ?? new Set<string>();
    this.openByExecution.set(executionArn, open.add(value));
    return {
      value,
      outcome: record.outcome.promise,
      onHeartbeat: (listener) => {
        record.onHeartbeat = listener;
      },
    };
  }

  /** Makes a token unusable: its task finished, failed or timed out. */
  close(token: string) {
    const record = this.tokens.get(token);
    if (!record?.open) return;
    record.open = false;
    record.onHeartbeat = undefined;
    const open = this.openByExecution.get(record.executionArn);
    open?.delete(token);
    if (open?.size === 0) this.openByExecution.delete(record.executionArn);
    this.closedOrder.push(token);
    this.forgetOldestClosed();
  }

  /**
   * Tokens issued before a restart (read back from the state folder): their task attempts are
   * gone, so they answer `TaskTimedOut` as AWS does for a task that no longer waits.
   */
  retire(values: string[]) {
    for (const value of values) {
      if (this.tokens.has(value)) continue;
      this.tokens.set(value, newRecord('', false));
      this.closedOrder.push(value);
    }
    this.forgetOldestClosed();
  }

  /** Fails the open tokens of a stopped execution so that its waiting tasks unwind. */
  closeAllOf(executionArn: string, reason: Error) {
    for (const token of [...(this.openByExecution.get(executionArn) ?? [])]) {
      this.tokens.get(token)?.outcome.reject(reason);
      this.close(token);
    }
  }

  sendTaskSuccess(token: unknown, output: unknown) {
    const record = this.openRecord(token);
    record.outcome.resolve(parsedOutput(output));
    this.close(token as string);
  }

  sendTaskFailure(token: unknown, error?: unknown, cause?: unknown) {
    const record = this.openRecord(token);
    record.outcome.reject(
      new TaskFailure(
        typeof error === 'string' ? error : '',
        typeof cause === 'string' ? cause : '',
      ),
    );
    this.close(token as string);
  }

  sendTaskHeartbeat(token: unknown) {
    this.openRecord(token).onHeartbeat?.();
  }

  /** The record of a token a callback may still settle; AWS's error otherwise. */
  private openRecord(token: unknown): TokenRecord {
    const record = this.tokens.get(checkedToken(token));
    if (!record) {
      throw new SfnApiError(
        'TaskDoesNotExist',
        "Task Does Not Exist: 'Provided task does not exist'",
      );
    }
    if (!record.open) {
      throw new SfnApiError(
        'TaskTimedOut',
        "Task Timed Out: 'Provided task does not exist anymore'",
      );
    }
    return record;
  }

  /** Closed tokens are remembered up to KEPT_CLOSED_TOKENS, the oldest dropped. */
  private forgetOldestClosed() {
    while (this.closedOrder.length > KEPT_CLOSED_TOKENS) {
      const oldest = this.closedOrder.shift();
      if (oldest) this.tokens.delete(oldest);
    }
  }
}

export const createTaskTokens = () => new TaskTokens();
