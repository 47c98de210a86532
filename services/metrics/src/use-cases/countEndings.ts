import type { MetricsTable } from '../adapters/metricsTable';
import { aggregate } from '../domain/counters';
import { type Ending, parseEnding } from '../domain/endings';

/** One SQS message: its id and body. */
export interface EndingMessage {
  id: string;
  body: string;
}

export type MessageOutcome =
  | { status: 'applied'; ending: Ending }
  | { status: 'duplicate'; ending: Ending }
  | { status: 'failed'; error: Error; ending?: Ending };

/** At most this many endings per UpdateItem: keeps its expressions far below DynamoDB's 4 KB. */
export const ENDINGS_PER_WRITE = 10;
/** Re-reads after a lost race (another consumer counted one of the keys meanwhile). */
const MAX_ATTEMPTS = 4;

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/**
 * Counts one shop-day's endings exactly once: reads which keys the day already holds, then
 * adds the others' counters, aggregated, in one conditional write per (up to 10) endings.
 * A lost race (the condition failed: a key arrived meanwhile) re-reads and retries without it.
 * Returns the keys this call counted.
 */
const countShopDay = async (
  table: MetricsTable,
  shopId: string,
  day: string,
  endings: readonly Ending[],
): Promise<Set<string>> => {
  const counted = new Set<string>();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const applied = await table.appliedKeys(shopId, day);
    const fresh = new Map<string, Ending>();
    for (const ending of endings) {
      if (!applied.has(ending.key) && !fresh.has(ending.key)) fresh.set(ending.key, ending);
    }
    let lost = false;
    for (const chunk of chunks([...fresh.values()], ENDINGS_PER_WRITE)) {
      const keys = chunk.map((e) => e.key);
      if (!(await table.apply(shopId, day, keys, aggregate(chunk)))) {
        lost = true;
        break;
      }
      for (const key of keys) counted.add(key);
    }
    if (!lost) return counted;
  }
  throw new Error(`shop ${shopId} day ${day}: still contended after ${MAX_ATTEMPTS} attempts`);
};

/**
 * A batch of messages: each body parsed to an ending (a poison message fails alone), the
 * endings grouped by shop and day, each group counted exactly once. A message whose group
 * could not be written fails (SQS delivers it again); the others are applied or duplicates.
 */
export const countEndings = async (
  table: MetricsTable,
  messages: readonly EndingMessage[],
): Promise<Map<string, MessageOutcome>> => {
  const outcomes = new Map<string, MessageOutcome>();
  const groups = new Map<string, { shopId: string; day: string; messages: [string, Ending][] }>();
  for (const message of messages) {
    let ending: Ending;
    try {
      ending = parseEnding(message.body);
    } catch (error) {
      outcomes.set(message.id, { status: 'failed', error: error as Error });
      continue;
    }
    const groupKey = `${ending.shopId}/${ending.day}`;
    const group = groups.get(groupKey) ?? { shopId: ending.shopId, day: ending.day, messages: [] };
    group.messages.push([message.id, ending]);
    groups.set(groupKey, group);
  }
  await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        const counted = await countShopDay(
          table,
          group.shopId,
          group.day,
          group.messages.map(([, ending]) => ending),
        );
        for (const [id, ending] of group.messages) {
          // The first message of a key counted here is the applied one; any other is a copy.
          const first = counted.delete(ending.key);
          outcomes.set(id, { status: first ? 'applied' : 'duplicate', ending });
        }
      } catch (error) {
        for (const [id, ending] of group.messages) {
          outcomes.set(id, { status: 'failed', error: error as Error, ending });
        }
      }
    }),
  );
  return outcomes;
};
