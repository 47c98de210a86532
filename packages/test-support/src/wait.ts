import { retry, sleep } from '@espresso/retry';

export { sleep };

/** The probe answered `undefined`: not there yet. */
class NotYet extends Error {}

/**
 * Polls `probe` every `intervalMs` until it answers something other than `undefined`; fails
 * naming `what` once `timeoutMs` has passed.
 */
export const until = async <T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  const ask = async () => {
    const value = await probe();
    if (value === undefined) throw new NotYet(`timed out waiting for ${what}`);
    return value;
  };
  return retry(ask, {
    attempts: Number.POSITIVE_INFINITY,
    pauseMs: () => intervalMs,
    // A probe that throws fails at once, as before; only "not yet" is asked again.
    retryOn: (error) => error instanceof NotYet && Date.now() <= deadline,
  });
};
