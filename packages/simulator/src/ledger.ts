import { type OrderStatus, TERMINAL_STATUSES } from '@espresso/schemas';
import type { Progress, SimOrder } from './model';

const TERMINAL = new Set<string>(TERMINAL_STATUSES);

/** Whether the status ends an order (completed, cancelled, timed out, rejected). */
export const isTerminal = (status: string | undefined): boolean =>
  status !== undefined && TERMINAL.has(status);

/** Whether the simulator learned that the order ended. */
export const hasEnded = (order: SimOrder): boolean => isTerminal(order.status);

/**
 * The run's orders, as the simulator learned them from answers and pushes: every order a
 * customer started (in order), those the API placed by id, and the run's progress.
 */
export class Ledger {
  readonly orders: SimOrder[] = [];
  readonly #byId = new Map<string, SimOrder>();

  constructor(
    readonly startedAt: number,
    readonly planned: number | undefined,
    readonly onProgress?: (progress: Progress) => void,
  ) {}

  add(order: SimOrder): void {
    this.orders.push(order);
  }

  /** Files the order under the id the API gave it. */
  placed(order: SimOrder, orderId: string): void {
    this.#byId.set(orderId, order);
  }

  /** The run's order of that id; undefined for another client's order in the same shop. */
  byId(orderId: string): SimOrder | undefined {
    return this.#byId.get(orderId);
  }

  /** Records the status learned; an ended order keeps its end, its first end time and reports. */
  setStatus(order: SimOrder, status: OrderStatus, at = Date.now()): void {
    if (hasEnded(order)) return;
    order.status = status;
    if (isTerminal(status)) {
      order.t.finished ??= at;
      this.report();
    }
  }

  /** Placed orders whose end the simulator has not learned yet. */
  open(): SimOrder[] {
    return this.orders.filter((o) => o.orderId && !hasEnded(o));
  }

  report(): void {
    this.onProgress?.({
      placed: this.orders.length,
      finished: this.orders.filter(hasEnded).length,
      ...(this.planned === undefined ? {} : { planned: this.planned }),
      elapsedMs: Date.now() - this.startedAt,
    });
  }
}
