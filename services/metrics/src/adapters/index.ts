import { dynamo, dynamoWrites } from '../clients';
import { env } from '../config';
import type { Ports } from '../use-cases/ports';
import { buildMetricsTable } from './metricsTable';

let ports: Ports | undefined;

/** The real adapters, built on first use from the environment and the shared clients. */
export const defaultPorts = (): Ports => {
  ports ??= { table: buildMetricsTable(dynamo, env().METRICS_TABLE), writes: dynamoWrites };
  return ports;
};
