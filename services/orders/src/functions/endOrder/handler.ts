import { countBusiness, logger } from '@espresso/runtime';
import * as z from 'zod';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { endOrder } from '../../use-cases/workflowSteps';

const InputSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  executionArn: z.string().startsWith('arn:').optional(),
  ending: z.enum([
    'CLOSED',
    'AT_CAPACITY',
    'CUSTOMER_TIMEOUT',
    'BARISTA_TIMEOUT',
    'COMPLETED',
    'CANCELLED',
  ]),
});

/** OrderProcessor's last task: the order's ending and its event. */
export const buildHandler =
  (ports: () => Ports = defaultPorts) =>
  async (event: unknown) => {
    const input = InputSchema.parse(event);
    logger.appendKeys({ shopId: input.shopId, orderId: input.orderId });
    const result = await endOrder(ports(), input);
    countBusiness('OrdersEnded', { shopId: input.shopId, ending: input.ending });
    return result;
  };

export const handler = buildHandler();
