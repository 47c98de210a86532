import { MAX_TIMER_SECONDS } from './definition';
import { timeoutError } from './errors';
import { deferred } from './polyfill';

/** The timers of task attempts and of runs. */

export const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task attempt's timers: `expired` rejects with `States.Timeout` or `States.HeartbeatTimeout`. */
export interface TaskDeadline {
  expired: Promise<never>;
  /** A heartbeat: the heartbeat timer starts again. */
  beat(): void;
  clear(): void;
}

const armTimer = (
  expiry: ReturnType<typeof deferred<never>>,
  seconds: number | undefined,
  name: 'States.Timeout' | 'States.HeartbeatTimeout',
) =>
  seconds !== undefined && seconds <= MAX_TIMER_SECONDS
    ? setTimeout(() => expiry.reject(timeoutError(name)), seconds * 1000)
    : undefined;

/** The timers of one task attempt: TimeoutSeconds and, for callbacks, HeartbeatSeconds. */
export const startTaskDeadline = (
  timeoutSeconds?: number,
  heartbeatSeconds?: number,
): TaskDeadline => {
  const expiry = deferred<never>();
  expiry.promise.catch(() => undefined);
  const timeoutTimer = armTimer(expiry, timeoutSeconds, 'States.Timeout');
  let heartbeatTimer = armTimer(expiry, heartbeatSeconds, 'States.HeartbeatTimeout');
  return {
    expired: expiry.promise,
    beat() {
      clearTimeout(heartbeatTimer);
      heartbeatTimer = armTimer(expiry, heartbeatSeconds, 'States.HeartbeatTimeout');
    },
    clear() {
      clearTimeout(timeoutTimer);
      clearTimeout(heartbeatTimer);
    },
  };
};

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
export const settledWithin = async (promise: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
};
