import { ErrorBodySchema, type ErrorCode } from '@espresso/schemas';
import pRetry from 'p-retry';

/** An API's 4xx/5xx answer (`{error: {code, message, field?}}`), or a transport failure. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK' | 'BAD_RESPONSE',
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Builds the error for a non-2xx answer from its body (whatever the body holds). */
export const apiErrorFrom = (status: number, body: unknown): ApiError => {
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message, field } = parsed.data.error;
    return new ApiError(status, code, message, field);
  }
  return new ApiError(
    status,
    status >= 500 ? 'INTERNAL_ERROR' : 'INVALID_REQUEST',
    `HTTP ${status}`,
  );
};

/**
 * The sentence a person reads for a failed call. Below 500 the API's own message is meant to be
 * shown (it names the field); a few cases get words that say what to do next.
 */
export const errorMessage = (error: unknown): string => {
  if (!(error instanceof ApiError)) {
    return error instanceof Error && error.message ? error.message : 'Something went wrong.';
  }
  switch (error.code) {
    case 'NETWORK':
      return 'Cannot reach the service. Check your connection; we keep trying.';
    case 'BAD_RESPONSE':
      return 'The service answered something this app does not understand. Reload the page.';
    case 'UNAUTHORIZED':
      return 'Your sign-in has expired. Please sign in again.';
    case 'FORBIDDEN':
      return `You are not allowed to do that here. ${error.message}`;
    case 'INTERNAL_ERROR':
      return 'Something went wrong on our side. Please try again in a moment.';
    case 'INVALID_REQUEST':
      if (error.field === 'qrCode') {
        return `That code does not work (${error.message}). Scan the code on the screen again.`;
      }
      return error.message;
    case 'LIMIT_EXCEEDED':
      return `${error.message} Come back tomorrow.`;
    default:
      return error.message;
  }
};

interface RetryOptions {
  attempts?: number;
  delayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A failure worth sending the same request again for: no answer (flaky Wi-Fi) or a 5xx. A 409
 * is an answer (the API itself retries what only clashed), shown, never sent again.
 */
export const isTransient = (error: unknown): boolean =>
  error instanceof ApiError && (error.status === 0 || error.status >= 500);

/**
 * Sends a request again after a transient failure, `delayMs × attempt` later (p-retry runs
 * the attempts; the pause is ours, as it grows linearly), at most `attempts` times in all;
 * the last failure is the one thrown. Only for requests a retry cannot repeat: placing an order
 * goes with its Idempotency-Key.
 */
export const retryTransient = <T>(
  run: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> => {
  const { attempts = 4, delayMs = 400, sleep = wait } = options;
  return pRetry(run, {
    retries: attempts - 1,
    minTimeout: 0,
    factor: 1,
    shouldRetry: isTransient,
    onFailedAttempt: async (error) => {
      // Thrown here, the last failure itself ends the retries (not p-retry's most frequent one).
      if (error.retriesLeft === 0) throw error;
      if (isTransient(error)) await sleep(delayMs * error.attemptNumber);
    },
  });
};
