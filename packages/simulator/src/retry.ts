import pRetry from 'p-retry';

/** Thrown by an attempt that should be made again (an answer lost on the way, a used-up code). */
export class TryAgain extends Error {
  override readonly name = 'TryAgain';
}

/**
 * Makes `attempt` up to `attempts` times while it throws `TryAgain`, with no pause but what
 * `beforeNext` waits (it runs after every such failure, the last one too). Resolves with the
 * first result; undefined once every attempt asked to try again. Other errors end it at once.
 */
export const withAttempts = async <T>(
  attempts: number,
  attempt: (attemptNumber: number) => Promise<T>,
  beforeNext?: (attemptNumber: number) => Promise<void>,
): Promise<T | undefined> => {
  const again = (error: Error) => error instanceof TryAgain;
  try {
    return await pRetry(attempt, {
      retries: attempts - 1,
      minTimeout: 0,
      factor: 1,
      shouldRetry: again,
      onFailedAttempt: async (error) => {
        if (again(error)) await beforeNext?.(error.attemptNumber);
      },
    });
  } catch (error) {
    if (error instanceof TryAgain) return undefined;
    throw error;
  }
};
