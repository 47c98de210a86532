import { rehearse, summarize } from './rehearse';

/**
 * `pnpm deploy:rehearse [--stage <name>]`: the framework's real deploy path against moto_server.
 * Prints each step with its time and, per resource type, what the rehearsal proved.
 */
const stageAt = process.argv.indexOf('--stage');
const stage = stageAt > 0 ? process.argv[stageAt + 1] : undefined;

try {
  const result = await rehearse({ stage, log: (line) => console.log(line) });
  console.log(`\ndeploy rehearsal of stage ${result.stage}: passed`);
  for (const { name, seconds } of result.steps)
    console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
  console.log('\nper resource type (after the update):');
  for (const row of summarize(result.findings)) {
    console.log(`  ${row.type.padEnd(40)} ${String(row.count).padStart(3)}  ${row.outcome}`);
  }
  console.log(`\nmoto skipped: ${result.skippedTypes.join(', ') || 'nothing'}`);
} catch (error) {
  console.error(`deploy rehearsal failed: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
