/** What the stack started, to stop in reverse order. */
export interface Stoppers {
  add(...stops: (() => Promise<void>)[]): void;
  /** Stops everything added (last first, a failure does not keep the others up), once. */
  stopAll(): Promise<void>;
}

export const createStoppers = (): Stoppers => {
  const stops: (() => Promise<void>)[] = [];
  return {
    add: (...more) => {
      stops.push(...more);
    },
    stopAll: async () => {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      stops.length = 0;
    },
  };
};
