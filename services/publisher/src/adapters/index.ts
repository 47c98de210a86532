import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { sleep } from '@espresso/retry';
import { dynamo, sqs } from '../clients';
import { connectionsEndpoint, env } from '../config';
import type { Ports } from '../use-cases/ports';
import { buildConnections } from './connections';
import { buildDeadLetters } from './deadLetters';
import { buildScreens } from './screens';

let ports: Ports | undefined;

/** The real adapters, built on first use from the environment and the shared clients. */
export const defaultPorts = (): Ports => {
  const e = env();
  ports ??= {
    connections: buildConnections(dynamo, e.CONNECTIONS_TABLE),
    // One attempt per call: the fan-out retries with its own backoff and knows what a 410 means.
    screens: buildScreens(
      new ApiGatewayManagementApiClient({ endpoint: connectionsEndpoint(e), maxAttempts: 1 }),
    ),
    deadLetters: buildDeadLetters(sqs, e.DEAD_LETTER_QUEUE_URL),
    now: () => new Date(),
    sleep,
  };
  return ports;
};
