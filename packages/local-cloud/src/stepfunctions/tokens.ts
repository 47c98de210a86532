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

/**
 * Task tokens: one fresh, unguessable token per `.waitForTaskToken` task attempt, usable until
 * that attempt succeeds, fails or times out, and the callbacks that settle them (the
 * SendTask* API and the `aws-sdk:sfn:sendTask*` integrations). Errors are AWS's:
 * `InvalidToken` (not a token), `TaskDoesNotExist` (never issued here), `TaskTimedOut` (its
 * task already finished or timed out, or was interrupted by a restart), `InvalidOutput`.
 */
export const createTaskTokens = () => {
  const tokens = new Map<string, TokenRecord>();
  /** The open tokens of each execution, to fail them when it stops. */
  const openByExecution = new Map<string, Set<string>>();
  const closedOrder: string[] = [];

  const issue = (executionArn: string): IssuedToken => {
    const value = `${TOKEN_PREFIX}${randomBytes(TOKEN_RANDOM_BYTES).toString('base64url')}`;
    const record: TokenRecord = { executionArn, open: true, outcome: deferred<unknown>() };
    // Nobody may await the outcome if the task fails before it waits.
    record.outcome.promise.catch(() => undefined);
    tokens.set(value, record);
    const open = openByExecution.get(executionArn) ?? new Set<string>();
    openByExecution.set(executionArn, open.add(value));
    return {
      value,
      outcome: record.outcome.promise,
      onHeartbeat: (listener) => {
        record.onHeartbeat = listener;
      },
    };
  };

  const openRecord = (token: unknown): TokenRecord => {
    if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
      throw new SfnApiError(
        'ValidationException',
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length between 1 and 2048",
      );
    }
    if (!TOKEN_FORMAT.test(token)) {
      throw new SfnApiError('InvalidToken', "Invalid Token: 'Unable to parse the task token'");
    }
    const record = tokens.get(token);
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
  };

  /** Makes a token unusable: its task finished, failed or timed out. */
  const close = (token: string) => {
    const record = tokens.get(token);
    if (!record?.open) return;
    record.open = false;
    record.onHeartbeat = undefined;
    const open = openByExecution.get(record.executionArn);
    open?.delete(token);
    if (open?.size === 0) openByExecution.delete(record.executionArn);
    closedOrder.push(token);
    while (closedOrder.length > KEPT_CLOSED_TOKENS) {
      const oldest = closedOrder.shift();
      if (oldest) tokens.delete(oldest);
    }
  };

  return {
    issue,
    close,

    /**
     * Tokens issued before a restart (read back from the state folder): their task attempts are
     * gone, so they answer `TaskTimedOut` as AWS does for a task that no longer waits.
     */
    retire(values: string[]) {
      for (const value of values) {
        if (tokens.has(value)) continue;
        const record: TokenRecord = { executionArn: '', open: false, outcome: deferred<unknown>() };
        record.outcome.promise.catch(() => undefined);
        tokens.set(value, record);
        closedOrder.push(value);
      }
      while (closedOrder.length > KEPT_CLOSED_TOKENS) {
        const oldest = closedOrder.shift();
        if (oldest) tokens.delete(oldest);
      }
    },

    /** Fails the open tokens of a stopped execution so that its waiting tasks unwind. */
    closeAllOf(executionArn: string, reason: Error) {
      for (const token of [...(openByExecution.get(executionArn) ?? [])]) {
        tokens.get(token)?.outcome.reject(reason);
        close(token);
      }
    },

    sendTaskSuccess(token: unknown, output: unknown) {
      const record = openRecord(token);
      if (typeof output !== 'string') {
        throw new SfnApiError(
          'ValidationException',
          "1 validation error detected: Value null at 'output' failed to satisfy constraint: Member must not be null",
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(output);
      } catch {
        throw new SfnApiError('InvalidOutput', `Invalid Output: '${output.slice(0, 100)}'`);
      }
      record.outcome.resolve(parsed);
      close(token as string);
    },

    sendTaskFailure(token: unknown, error?: unknown, cause?: unknown) {
      const record = openRecord(token);
      record.outcome.reject(
        new TaskFailure(
          typeof error === 'string' ? error : '',
          typeof cause === 'string' ? cause : '',
        ),
      );
      close(token as string);
    },

    sendTaskHeartbeat(token: unknown) {
      openRecord(token).onHeartbeat?.();
    },
  };
};

export type TaskTokens = ReturnType<typeof createTaskTokens>;
