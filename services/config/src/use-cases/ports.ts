import type { ConfigBus } from '../adapters/bus';
import type { ShopsTable } from '../adapters/shopsTable';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  shops: ShopsTable;
  bus: ConfigBus;
  now: () => string;
}
