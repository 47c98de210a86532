import { dynamo, eventBridge, sfn } from '../clients';
import { env } from '../config';
import type { Ports } from '../use-cases/ports';
import { buildBus } from './bus';
import { buildOrdersTable } from './orders';
import { buildQrCodes } from './qrCodes';
import { buildShops } from './shops';
import { buildWorkflows } from './workflows';

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
