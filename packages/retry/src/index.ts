import pRetry, { type FailedAttemptError } from 'p-retry';

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How a retry loop behaves: how often it tries, how long it pauses after each failed attempt,
 * which errors are worth another attempt. The last error is the one thrown.
 */
export interface RetryPolicy {
  /** Tries in all, the first included (`Infinity`: until `retryOn` says no). */
  attempts: number;
  /** The pause after failed attempt `attempt` (1-based), before the next one. */
  pauseMs: (attempt: number) => number;
  /** Whether this error (of attempt `error.attemptNumber`) is worth another attempt; default: every error. */
  retryOn?: (error: FailedAttemptError) => boolean;
  /** Waits a pause (a test passes one that records it); default `sleep`. */
  sleep?: (ms: number) => Promise<unknown>;
}

/** A pause growing `factor`-fold from `firstMs` after each failed attempt: 1 → firstMs, 2 → firstMs·factor … */
export const exponentialPause =
  (firstMs: number, factor = 2) =>
  (attempt: number): number =>
    firstMs * factor ** (attempt - 1);

/** A random pause of 0 to `stepMs`·attempt ms (whole ms): spreads out writers that clashed. */
export const jitteredPause =
  (stepMs: number) =>
  (attempt: number): number =>
    Math.floor(Math.random() * stepMs * attempt);

/**
 * Runs `attempt` (given its 1-based number) until it resolves, or throws its last error once
 * the policy gives up. p-retry runs the loop; the policy's own pause is awaited between attempts
 * (p-retry's own backoff is zero), so each caller keeps its exact timing. As p-retry does, an
 * error that is not an `Error`, or a `TypeError` other than a network failure, is not retried.
 */
export const retry = <T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy): Promise<T> => {
  const again = (error: FailedAttemptError) =>
    error.attemptNumber < policy.attempts && (policy.retryOn?.(error) ?? true);
  const forever = policy.attempts === Number.POSITIVE_INFINITY;
  return pRetry(attempt, {
    ...(forever ? { forever: true, retries: 0 } : { retries: policy.attempts - 1 }),
    minTimeout: 0,
    maxTimeout: 0,
    factor: 1,
    shouldRetry: again,
    onFailedAttempt: async (error) => {
      if (again(error)) await (policy.sleep ?? sleep)(policy.pauseMs(error.attemptNumber));
    },
  });
};
