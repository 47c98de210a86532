import type { MetricsTable } from '../adapters/metricsTable';
import type { WriteCounter } from '../adapters/writeCounter';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  table: MetricsTable;
  writes: WriteCounter;
}
