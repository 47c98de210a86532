import type { DayItem, MetricsTable } from '../adapters/metricsTable';

/**
 * An in-memory metrics table with the real one's semantics (a conditional write adds the
 * counters and keys only if none of the keys is there), counting its writes. `beforeApply`
 * runs before each conditional write: a test uses it to play a concurrent consumer.
 */
export const fakeMetricsTable = () => {
  const items = new Map<string, { counters: Record<string, number>; applied: Set<string> }>();
  const item = (shopId: string, day: string) => {
    const key = `${shopId}/${day}`;
    let found = items.get(key);
    if (!found) {
      found = { counters: {}, applied: new Set() };
      items.set(key, found);
    }
    return found;
  };
  const calls = { reads: 0, writes: 0, conflicts: 0 };
  let beforeApply: ((shopId: string, day: string) => Promise<void> | void) | undefined;
  let failWrites: (shopId: string) => boolean = () => false;

  const table: MetricsTable = {
    async appliedKeys(shopId, day) {
      calls.reads++;
      return new Set(items.get(`${shopId}/${day}`)?.applied ?? []);
    },
    async apply(shopId, day, keys, counters) {
      await beforeApply?.(shopId, day);
      calls.writes++;
      if (failWrites(shopId)) throw new Error('DynamoDB is unavailable');
      const target = item(shopId, day);
      if (keys.some((k) => target.applied.has(k))) {
        calls.conflicts++;
        return false;
      }
      for (const k of keys) target.applied.add(k);
      for (const [name, amount] of counters) {
        target.counters[name] = (target.counters[name] ?? 0) + amount;
      }
      return true;
    },
    async readDays(shopId, from, to) {
      const out: DayItem[] = [];
      for (const [key, value] of items) {
        const [s, day = ''] = key.split('/');
        if (s === shopId && day >= from && day <= to) {
          out.push({ shopId, day, counters: { ...value.counters } });
        }
      }
      return out.sort((a, b) => a.day.localeCompare(b.day));
    },
  };
  return {
    table,
    calls,
    items,
    onBeforeApply(hook: typeof beforeApply) {
      beforeApply = hook;
    },
    /** Writes to the shops `fail` picks (every shop when true) throw, as an outage would. */
    failWrites(fail: boolean | ((shopId: string) => boolean)) {
      failWrites = typeof fail === 'function' ? fail : () => fail;
    },
  };
};
