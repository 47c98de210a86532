import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { sleep } from '@espresso/retry';
import { dynamo, sqs } from '../clients';
import { connectionsEndpoint, env } from '../config';
import { buildConnections, type Connections } from './connections';
import { buildDeadLetters, type DeadLetters } from './deadLetters';
import { buildScreens, type Screens } from './screens';
import type { Tokens } from './tokens';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  connections: Connections;
  screens: Screens;
  deadLetters: DeadLetters;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** `$connect` alone verifies tokens: its ports (`./connectPorts`) keep jose out of the others. */
export interface ConnectPorts extends Ports {
  tokens: Tokens;
}

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
