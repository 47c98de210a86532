import { setTimeout as delay } from 'node:timers/promises';

/**
 * One polling loop per worker, all ended by one `stop`: the loops see `signal` aborted (their
 * pauses cut short by `pause`) and `stop` resolves once every loop has returned. Shared by the
 * SQS and DynamoDB stream pollers.
 */
export interface PollLoops {
  readonly signal: AbortSignal;
  /** Waits `ms`, or less when the loops are stopped meanwhile. */
  pause(ms: number): Promise<void>;
  /** Aborts the loops and waits for them; called again, answers the same promise. */
  stop(): Promise<void>;
}

export const startPollLoops = <W>(
  workers: W[],
  loop: (worker: W, loops: PollLoops) => Promise<void>,
): PollLoops => {
  const controller = new AbortController();
  const { signal } = controller;
  let running: Promise<void>[] = [];
  let stopped: Promise<void> | undefined;
  const loops: PollLoops = {
    signal,
    pause: (ms) => delay(ms, undefined, { signal }).catch(() => undefined),
    stop: () => {
      stopped ??= (async () => {
        controller.abort();
        await Promise.all(running);
      })();
      return stopped;
    },
  };
  running = workers.map((worker) => loop(worker, loops));
  return loops;
};
