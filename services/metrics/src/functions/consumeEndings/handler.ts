import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { logger } from '@espresso/runtime';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { defaultPorts } from '../../adapters';
import { reportBatch } from '../../observability';
import { countEndings } from '../../use-cases/countEndings';
import type { Ports } from '../../use-cases/ports';

const processor = new BatchProcessor(EventType.SQS);

/**
 * SQS → counters: the whole batch is counted first (aggregated, few writes), then Powertools
 * batch processing turns each message's outcome into the partial batch response, so only the
 * failed messages (poison, or a group that could not be written) come back.
 */
export const buildHandler =
  (ports: () => Ports = defaultPorts) =>
  async (event: SQSEvent, context?: Context) => {
    if (context) logger.addContext(context);
    const { table, writes } = ports();
    writes.take();
    const outcomes = await countEndings(
      table,
      event.Records.map((record) => ({ id: record.messageId, body: record.body })),
    );
    reportBatch(event.Records.length, outcomes, writes.take());
    const settle = async (record: SQSRecord) => {
      const outcome = outcomes.get(record.messageId);
      if (!outcome) throw new Error(`message ${record.messageId} was not processed`);
      if (outcome.status === 'failed') throw outcome.error;
      return outcome.status;
    };
    return processPartialResponse(event, settle, processor, context ? { context } : undefined);
  };

export const handler = buildHandler();
