import type { Bus } from '../adapters/bus';
import type { OrdersTable } from '../adapters/orders';
import type { QrCodes } from '../adapters/qrCodes';
import type { Shops } from '../adapters/shops';
import type { Workflows } from '../adapters/workflows';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  shops: Shops;
  orders: OrdersTable;
  qrCodes: QrCodes;
  bus: Bus;
  workflows: Workflows;
  tables: { qrCodes: string; counters: string };
  now: () => Date;
}
