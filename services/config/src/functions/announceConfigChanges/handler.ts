import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { logger } from '@espresso/runtime';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultPorts } from '../../adapters';
import { announceConfigChange } from '../../use-cases/announceConfigChange';
import type { Ports } from '../../use-cases/ports';

type Image = Parameters<typeof unmarshall>[0];

/**
 * The shops table's stream (inserts and updates, by the mapping's filter) →
 * `ConfigService.ConfigChanged`. A failed record is reported by its sequence number, so the
 * stream retries from it; after the retries it is described to the failures queue.
 */
export const buildHandler = (ports: () => Ports = defaultPorts) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const announce = async (record: DynamoDBRecord) => {
    const { NewImage, OldImage } = record.dynamodb ?? {};
    if (record.eventName === 'REMOVE' || !NewImage) return;
    const detail = await announceConfigChange(
      ports(),
      OldImage ? unmarshall(OldImage as Image) : undefined,
      unmarshall(NewImage as Image),
    );
    logger.info('announced a config change', {
      shopId: detail.shopId,
      change: detail.change,
      configVersion: detail.configVersion,
    });
  };
  return (event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, announce, processor, { context });
};

export const handler = buildHandler();
