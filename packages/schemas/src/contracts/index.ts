import { configContract } from './services/config';
import { metricsContract } from './services/metrics';
import { ordersContract } from './services/orders';
import { publisherContract } from './services/publisher';
import type { ServiceContract } from './types';

export * from './checks';
export * from './compatibility';
export * from './examples';
export * from './types';
/** Each service's contract by name: a consumer derives its dispatch from its own `consumes`. */
export { configContract, metricsContract, ordersContract, publisherContract };

/**
 * Every service's contract, one file each under `services/` (owned by that service's team).
 * A new service adds its file and one entry here.
 */
export const SERVICE_CONTRACTS: readonly ServiceContract[] = [
  configContract,
  ordersContract,
  publisherContract,
  metricsContract,
];

/** The contract of `service`; throws naming the file to add when there is none. */
export const contractOf = (service: string): ServiceContract => {
  const contract = SERVICE_CONTRACTS.find((c) => c.service === service);
  if (!contract) {
    throw new Error(
      `${service} has no contract: add packages/schemas/src/contracts/services/${service}.ts and list it in SERVICE_CONTRACTS`,
    );
  }
  return contract;
};
