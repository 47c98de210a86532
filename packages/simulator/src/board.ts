import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The baristas' board: orders the screens showed as queued (by push or a read of the queue),
 * oldest first, and the baristas waiting for one.
 */
export class Board {
  readonly #queued = new Map<string, number>();
  readonly #waiters = new Set<() => void>();

  /** Shows the order as queued since `at` (an order already shown keeps its time). */
  show(orderId: string, at: number): void {
    if (!this.#queued.has(orderId)) this.#queued.set(orderId, at);
  }

  has(orderId: string): boolean {
    return this.#queued.has(orderId);
  }

  remove(orderId: string): void {
    this.#queued.delete(orderId);
  }

  /** Takes the order queued longest off the board. */
  takeOldest(): string | undefined {
    const next = [...this.#queued.entries()].sort((a, b) => a[1] - b[1])[0]?.[0];
    if (next) this.#queued.delete(next);
    return next;
  }

  /** Wakes every barista waiting for news. */
  nudge(): void {
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Waits for a nudge, at most `ms`. */
  async waitForNews(ms: number): Promise<void> {
    await Promise.race([
      new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
      }),
      sleep(ms),
    ]);
  }
}
