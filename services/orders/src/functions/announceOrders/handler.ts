import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { logger } from '@espresso/runtime';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultPorts } from '../../adapters';
import { announceNewOrder } from '../../use-cases/announceOrder';
import type { Ports } from '../../use-cases/ports';

/**
 * The orders table's stream (inserts only, by the mapping's filter) → `Validator.NewOrder`.
 * A record that fails is reported by its sequence number, so the stream retries from it and
 * the ones before it are not announced twice.
 */
export const buildHandler = (ports: () => Ports = defaultPorts) => {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const announce = async (record: DynamoDBRecord) => {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) return;
    const image = unmarshall(record.dynamodb.NewImage as Parameters<typeof unmarshall>[0]);
    const order = await announceNewOrder(ports(), image);
    logger.info('announced a new order', { shopId: order.shopId, orderId: order.orderId });
  };
  return (event: DynamoDBStreamEvent, context: Context) =>
    processPartialResponse(event, announce, processor, { context });
};

export const handler = buildHandler();
