import { countBusiness, logger } from '@espresso/runtime';
import { type BusEvent, parseBusEvent } from '@espresso/schemas';
import { defaultPorts } from '../../adapters';
import { fanOut } from '../../use-cases/fanOut';
import type { Ports } from '../../use-cases/ports';

/**
 * Target of the bus rule: pushes each order and config event to the screens that may see it.
 * An event that fails its schema is logged and sent to the rule's dead-letter queue, never
 * pushed; the handler then succeeds (retrying the same bad event cannot fix it).
 */
export const buildHandler =
  (ports: () => Ports = defaultPorts) =>
  async (raw: unknown) => {
    let event: BusEvent;
    try {
      event = parseBusEvent(raw);
    } catch (error) {
      const reason = (error as Error).message;
      logger.error('event refused: it does not match its schema', { reason, event: raw });
      await ports().deadLetters.send(raw, reason);
      countBusiness('EventsRefused');
      return { refused: true };
    }
    logger.appendKeys({
      shopId: event.detail.shopId,
      ...('orderId' in event.detail ? { orderId: event.detail.orderId } : {}),
      type: event.detailType,
    });
    try {
      const result = await fanOut(ports(), event, logger);
      logger.info('fanned out', { ...result });
      return result;
    } finally {
      logger.removeKeys(['shopId', 'orderId', 'type']);
    }
  };

export const handler = buildHandler();
