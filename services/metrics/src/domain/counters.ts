import type { Ending } from './endings';

/*
 * Counters live as flat numeric attributes of one item per shop and day, named
 * `<HH>|<kind>|<name>` (HH = the UTC hour the order ended). Flat names let one UpdateItem
 * `ADD` any of them without creating parent maps first. Day totals are the sums of the hours.
 */

export const COUNTER_KINDS = {
  /** orders by outcome; name = the outcome */
  outcome: 'o',
  /** completed drinks; name = drinkId */
  drink: 'd',
  /** modifier options of completed drinks; name = JSON `[group, option]` */
  modifier: 'm',
  /** orders a barista completed; name = baristaId */
  barista: 'b',
  /** a barista's making time, ms; name = baristaId */
  baristaMakeMs: 'bk',
  /** waiting time (placed → claimed) sum in ms, and how many */
  waitMs: 'w',
  waitCount: 'wn',
  /** making time (claimed → completed) sum in ms, and how many */
  makeMs: 'k',
  makeCount: 'kn',
} as const;
export type CounterKind = (typeof COUNTER_KINDS)[keyof typeof COUNTER_KINDS];

export const counterName = (hour: string, kind: CounterKind, name = '') =>
  `${hour}|${kind}|${name}`;

const COUNTER = /^(\d{2})\|([a-z]+)\|(.*)$/s;

/** The parts of a counter attribute's name, or undefined for any other attribute. */
export const parseCounterName = (
  attribute: string,
): { hour: string; kind: string; name: string } | undefined => {
  const match = COUNTER.exec(attribute);
  if (!match) return undefined;
  const [, hour = '', kind = '', name = ''] = match;
  return { hour, kind, name };
};

/** What one ending adds, counter name → amount. */
export const countersOf = (ending: Ending): Map<string, number> => {
  const out = new Map<string, number>();
  const add = (kind: CounterKind, name: string, amount: number) =>
    out.set(
      counterName(ending.hour, kind, name),
      (out.get(counterName(ending.hour, kind, name)) ?? 0) + amount,
    );
  const k = COUNTER_KINDS;
  add(k.outcome, ending.outcome, 1);
  if (ending.outcome === 'COMPLETED') {
    if (ending.drinkId) add(k.drink, ending.drinkId, 1);
    for (const [group, option] of Object.entries(ending.modifiers ?? {})) {
      add(k.modifier, JSON.stringify([group, option]), 1);
    }
    if (ending.baristaId) {
      add(k.barista, ending.baristaId, 1);
      if (ending.makeMs !== undefined) add(k.baristaMakeMs, ending.baristaId, ending.makeMs);
    }
    if (ending.waitMs !== undefined) {
      add(k.waitMs, '', ending.waitMs);
      add(k.waitCount, '', 1);
    }
    if (ending.makeMs !== undefined) {
      add(k.makeMs, '', ending.makeMs);
      add(k.makeCount, '', 1);
    }
  }
  return out;
};

/** The counters of several endings added up: one amount per counter, for one write. */
export const aggregate = (endings: readonly Ending[]): Map<string, number> => {
  const out = new Map<string, number>();
  for (const ending of endings) {
    for (const [name, amount] of countersOf(ending)) out.set(name, (out.get(name) ?? 0) + amount);
  }
  return out;
};
