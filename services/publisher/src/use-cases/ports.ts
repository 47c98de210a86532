import type { Connections } from '../adapters/connections';
import type { DeadLetters } from '../adapters/deadLetters';
import type { Screens } from '../adapters/screens';
import type { Tokens } from '../adapters/tokens';

/** What the use cases need from the outside world; handlers pass the real ones, tests fakes. */
export interface Ports {
  connections: Connections;
  screens: Screens;
  deadLetters: DeadLetters;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** `$connect` alone verifies tokens: its ports (`../adapters/connectPorts`) keep jose out of the others. */
export interface ConnectPorts extends Ports {
  tokens: Tokens;
}
