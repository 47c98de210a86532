import type { Menu, ModifierChoice, Order, QueueResponse } from '@espresso/schemas';

const byNumber = (a: Order, b: Order) =>
  (a.orderNumber ?? Number.MAX_SAFE_INTEGER) - (b.orderNumber ?? Number.MAX_SAFE_INTEGER) ||
  a.createdAt.localeCompare(b.createdAt);

export interface BaristaColumns {
  queued: Order[];
  /** In progress, claimed by the signed-in barista. */
  mine: Order[];
  /** In progress, claimed by someone else. */
  others: Order[];
  ready: Order[];
}

/** The barista's columns, each by order number; ready orders newest first. */
export const groupQueue = (queue: QueueResponse, me: string): BaristaColumns => ({
  queued: [...queue.queued].sort(byNumber),
  mine: queue.inProgress.filter((o) => o.baristaId === me).sort(byNumber),
  others: queue.inProgress.filter((o) => o.baristaId !== me).sort(byNumber),
  ready: [...queue.ready].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)),
});

/** The numbers a display shows: waiting, being made and ready (at most `limit` ready). */
export const displayBoard = (queue: QueueResponse, limit = 12) => {
  const numbers = (orders: Order[]) =>
    orders.flatMap((o) => (o.orderNumber === undefined ? [] : [o.orderNumber]));
  return {
    waiting: numbers([...queue.queued].sort(byNumber)),
    making: numbers([...queue.inProgress].sort(byNumber)),
    ready: numbers(
      [...queue.ready].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, limit),
    ),
  };
};

/** `Large · Oat` — the chosen options, without the "None" ones. */
export const modifiersText = (modifiers: ModifierChoice | undefined): string =>
  Object.values(modifiers ?? {})
    .filter((option) => option.toLowerCase() !== 'none')
    .join(' · ');

/** The drink's name on the menu, or its id when the menu no longer has it. */
export const drinkName = (menu: Menu | undefined, drinkId: string | undefined): string =>
  drinkId === undefined ? '—' : (menu?.find((d) => d.drinkId === drinkId)?.name ?? drinkId);

/** A selection starts with the first option of every group of the drink. */
export const defaultModifiers = (menu: Menu, drinkId: string): ModifierChoice =>
  Object.fromEntries(
    (menu.find((d) => d.drinkId === drinkId)?.modifiers ?? []).map((g) => [
      g.name,
      g.options[0] ?? '',
    ]),
  );
