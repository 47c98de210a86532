import { logger } from '@espresso/runtime';
import * as z from 'zod';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { admitOrder } from '../../use-cases/workflowSteps';

const InputSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  executionArn: z.string().startsWith('arn:'),
});

/** OrderProcessor's first task (lambda:invoke): take the order, check the shop, take a slot. */
export const buildHandler =
  (ports: () => Ports = defaultPorts) =>
  async (event: unknown) => {
    const input = InputSchema.parse(event);
    logger.appendKeys({ shopId: input.shopId, orderId: input.orderId });
    return admitOrder(ports(), input);
  };

export const handler = buildHandler();
