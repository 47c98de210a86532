import { dynamo, eventBridge, sfn } from '../clients';
import { env } from '../config';
import { type Bus, buildBus } from './bus';
import { buildOrdersTable, type OrdersTable } from './orders';
import { buildQrCodes, type QrCodes } from './qrCodes';
import { buildShops, type Shops } from './shops';
import { buildWorkflows, type Workflows } from './workflows';

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

let ports: Ports | undefined;

/** The real adapters, built on first use from the environment and the shared clients. */
export const defaultPorts = (): Ports => {
  const e = env();
  ports ??= {
    shops: buildShops(dynamo, e.SHOPS_TABLE),
    orders: buildOrdersTable(dynamo, e.ORDERS_TABLE),
    qrCodes: buildQrCodes(dynamo, e.QR_CODES_TABLE),
    bus: buildBus(eventBridge, e.EVENT_BUS_NAME),
    workflows: buildWorkflows(sfn, {
      orderManagerArn: e.ORDER_MANAGER_ARN,
      busName: e.EVENT_BUS_NAME,
    }),
    tables: { qrCodes: e.QR_CODES_TABLE, counters: e.COUNTERS_TABLE },
    now: () => new Date(),
  };
  return ports;
};
