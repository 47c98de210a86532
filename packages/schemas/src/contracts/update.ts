/**
 * `pnpm --filter @espresso/schemas contracts:update`: records each event schema's JSON Schema
 * under `contracts/events/` — a new version, or a compatible change to an existing one. It
 * refuses a breaking change to a version that already has a snapshot: give the event a new
 * `version` instead (the consumers named in the message must then handle it).
 */
import { checkSnapshots } from './checks';
import { SERVICE_CONTRACTS } from './index';
import { readSnapshots, writeSnapshots } from './snapshots';

const { breaking } = checkSnapshots(SERVICE_CONTRACTS, await readSnapshots());
if (breaking.length > 0) {
  console.error(`Not updated: breaking changes without a new version\n  ${breaking.join('\n  ')}`);
  process.exit(1);
}
const written = await writeSnapshots();
console.log(`contracts/events: ${written.length} schemas recorded (${written.join(', ')})`);
