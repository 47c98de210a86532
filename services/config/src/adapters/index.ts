import { dynamo, eventBridge } from '../clients';
import { env } from '../config';
import type { Ports } from '../use-cases/ports';
import { buildBus } from './bus';
import { buildShopsTable } from './shopsTable';

let ports: Ports | undefined;

/** The real adapters, built on first use from the environment and the shared clients. */
export const defaultPorts = (): Ports => {
  ports ??= {
    shops: buildShopsTable(dynamo, env().SHOPS_TABLE),
    bus: buildBus(eventBridge, env().EVENT_BUS_NAME),
    now: () => new Date().toISOString(),
  };
  return ports;
};
