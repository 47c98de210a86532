import type { IntegrationDeps } from './integrations';
import type { ExecutionStore } from './persistence';
import type { ExecutionRegistry } from './registry';

/** What the engine's parts share: where it runs, its integrations, its executions. */
export interface EngineContext {
  region: string;
  accountId: string;
  deps: IntegrationDeps;
  log: (line: string) => void;
  /** Where Standard executions are kept across restarts (none: in memory only). */
  store: ExecutionStore | undefined;
  registry: ExecutionRegistry;
}
