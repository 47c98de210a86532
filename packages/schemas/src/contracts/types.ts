import type * as z from 'zod';
import type { DetailType } from '../events';

/**
 * How a consumer reads an event's detail: `'all'` when it parses the whole detail with the
 * shared schema (`parseBusEvent`, `parseEventDetail`), or its own zod schema of just the fields
 * it reads (a `z.object`, which drops the rest; see `reads`). The contract test checks that
 * every detail the producer may emit parses with it.
 */
export type ConsumerSchema = 'all' | z.ZodType;

/** What one service promises the others: the events it puts, the events it reads, its routes. */
export interface ServiceContract {
  /** The service's name in `serverless-compose.yml` (its folder is `services/<service>`). */
  service: string;
  /** Detail-types it puts on the bus (their source is `espresso.<service>`). */
  emits: readonly DetailType[];
  /**
   * Detail-types its EventBridge rules match, with what it reads of each. Must equal the
   * detail-types of the `AWS::Events::Rule`s in its packaged template (its template test).
   */
  consumes: Partial<Record<DetailType, ConsumerSchema>>;
  /** Route keys of its HTTP and WebSocket APIs, as in the packaged template (`GET /me/orders`, `$connect`). */
  routes: readonly string[];
}

/** Declares a service's contract (typed, readonly). */
export const defineContract = <const C extends ServiceContract>(contract: C): C => contract;
