import { dynamo, dynamoWrites } from '../clients';
import { env } from '../config';
import { buildMetricsTable, type MetricsTable } from './metricsTable';
import type { WriteCounter } from './writeCounter';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  table: MetricsTable;
  writes: WriteCounter;
}

let ports: Ports | undefined;

/** The real adapters, built on first use from the environment and the shared clients. */
export const defaultPorts = (): Ports => {
  ports ??= { table: buildMetricsTable(dynamo, env().METRICS_TABLE), writes: dynamoWrites };
  return ports;
};
