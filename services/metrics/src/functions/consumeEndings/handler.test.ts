import { logger } from '@espresso/runtime';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { expect } from 'chai';
import sinon from 'sinon';
import { metrics } from '../../observability';
import { body, completedDetail } from '../../testing/events';
import { fakeMetricsTable } from '../../testing/fakes';
import { buildHandler } from './handler';

const record = (messageId: string, text: string): SQSRecord => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: text,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'events',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:espresso-metrics-dev-endings',
  awsRegion: 'us-east-1',
});

describe('consumeEndings handler', () => {
  const sandbox = sinon.createSandbox();
  beforeEach(() => {
    sandbox.stub(logger, 'info');
    sandbox.stub(logger, 'warn');
    sandbox.stub(metrics, 'publishStoredMetrics');
    sandbox.stub(metrics, 'singleMetric').returns({
      addDimensions: () => undefined,
      addMetric: () => undefined,
    } as never);
  });
  afterEach(() => sandbox.restore());

  const good = (id: string) =>
    record(
      id,
      body('OrderManager.OrderCompleted', completedDetail('cafe', id, '2026-11-25T10:00:00.000Z')),
    );

  it('reports only the poison message as a batch item failure', async () => {
    const fake = fakeMetricsTable();
    const handler = buildHandler(() => ({ table: fake.table, writes: { take: () => 0 } }));
    const event: SQSEvent = { Records: [good('a'), record('poison', 'nope'), good('b')] };
    expect(await handler(event)).to.deep.equal({
      batchItemFailures: [{ itemIdentifier: 'poison' }],
    });
  });

  it('answers no failures for a batch of good messages and duplicates', async () => {
    const fake = fakeMetricsTable();
    const handler = buildHandler(() => ({ table: fake.table, writes: { take: () => 0 } }));
    expect(await handler({ Records: [good('a'), good('a'), good('b')] })).to.deep.equal({
      batchItemFailures: [],
    });
  });

  it('fails the whole invocation when every message fails, so SQS retries them all', async () => {
    const fake = fakeMetricsTable();
    fake.failWrites(true);
    const handler = buildHandler(() => ({ table: fake.table, writes: { take: () => 0 } }));
    let failed = false;
    await handler({ Records: [good('a')] }).catch(() => {
      failed = true;
    });
    expect(failed).to.equal(true);
  });
});
