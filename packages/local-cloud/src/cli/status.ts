/**
 * `pnpm local:status`: what happened in the running local stack — recent events on the bus,
 * queue depths, and state machine executions. `--events N` shows more events.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BusEvent } from '../eventbridge';
import { DEFAULT_STATE_DIR, type Endpoints } from '../stack';
import type { ExecutionSummary } from '../stepfunctions';
import { localCredentials } from '../util';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({ options: { events: { type: 'string', default: '15' } } });

const endpoints = await readFile(path.join(DEFAULT_STATE_DIR, 'endpoints.json'), 'utf8')
  .then((text) => JSON.parse(text) as Endpoints)
  .catch(() => {
    console.error(
      'No local stack is running (no .local/endpoints.json): start one with `pnpm start`.',
    );
    process.exit(1);
  });
const { region } = endpoints.aws;
const table = (rows: string[][]) => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const row of rows)
    console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`);
};

const { events } = (await (await fetch(`${endpoints.aws.events}/_local/events`)).json()) as {
  events: BusEvent[];
};
const recent = events.slice(-Number(values.events));
console.log(`\nEvents on the bus (${recent.length} of ${events.length}, newest last)`);
table([
  ['time', 'detail-type', 'source', 'shop', 'order'],
  ...recent.map((e) => [
    e.time,
    e['detail-type'],
    e.source,
    String(e.detail.shopId ?? ''),
    String(e.detail.orderId ?? ''),
  ]),
]);

const sqs = new SQSClient({ endpoint: endpoints.aws.sqs, region, credentials: localCredentials });
const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
const depths = await Promise.all(
  QueueUrls.map(async (url) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    return [
      url.split('/').pop() ?? url,
      Attributes.ApproximateNumberOfMessages ?? '0',
      Attributes.ApproximateNumberOfMessagesNotVisible ?? '0',
      Attributes.ApproximateNumberOfMessagesDelayed ?? '0',
    ];
  }),
);
console.log(`\nQueues (${depths.length})`);
table([['queue', 'visible', 'in flight', 'delayed'], ...depths]);

const sfn = new SFNClient({
  endpoint: endpoints.aws.sfn,
  region,
  credentials: localCredentials,
  disableHostPrefix: true,
});
const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
// How many times a restart of the stack resumed each execution (a local extra).
const local = (await (await fetch(`${endpoints.aws.sfn}/_local/executions`)).json()) as {
  executions: ExecutionSummary[];
};
const resumes = new Map(local.executions.map((e) => [e.executionArn, e.resumes ?? 0]));
const rows: string[][] = [];
for (const machine of stateMachines) {
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: machine.stateMachineArn, maxResults: 20 }),
  );
  for (const execution of executions) {
    rows.push([
      machine.name ?? '',
      execution.name ?? '',
      execution.status ?? '',
      execution.startDate?.toISOString() ?? '',
      resumes.get(execution.executionArn ?? '')
        ? `resumed ×${resumes.get(execution.executionArn ?? '')}`
        : '',
    ]);
  }
}
console.log(`\nExecutions (${rows.length}, up to 20 per state machine)`);
table([['state machine', 'execution', 'status', 'started', 'after a restart'], ...rows]);
console.log('');
