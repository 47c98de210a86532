import type { OrdersApi } from './api';
import type { Board } from './board';
import type { Ledger } from './ledger';
import type { SimulationOptions } from './model';

/** Where a run is: customers placing orders, waiting for the placed ones to end, or over. */
export type Phase = 'placing' | 'draining' | 'stopped';

/** What the customers, baristas and the drain of one run share. */
export interface Run {
  readonly options: SimulationOptions;
  readonly shopId: string;
  readonly runId: string;
  /** The run plan's random source (intents, drinks, pauses). */
  readonly random: () => number;
  readonly api: OrdersApi;
  readonly ledger: Ledger;
  readonly board: Board;
  /** Customers waiting to see their kept choice taken (OrderPlaced), by order id. */
  readonly taken: Map<string, () => void>;
  readonly pollIntervalMs: number;
  readonly customerTimeoutMs: number;
  phase: Phase;
  /** The index of the next order of the plan a customer takes. */
  nextIndex: number;
  pushesReceived: number;
  /** When a barista last read the queue (epoch ms): the baristas read it at most once a poll. */
  lastQueueRead: number;
}

/** A uniform pause within `[min, max]` ms. */
export const between = (random: () => number, [min, max]: [number, number]): number =>
  min + random() * Math.max(0, max - min);
