import { logger } from '@espresso/runtime';
import * as z from 'zod';
import { defaultPorts } from '../../adapters';
import type { Ports } from '../../use-cases/ports';
import { awaitBarista } from '../../use-cases/workflowSteps';

const InputSchema = z.object({
  taskToken: z.string().min(1),
  shopId: z.string(),
  orderId: z.string(),
  timeoutSeconds: z.number().int().positive(),
});

/** OrderProcessor task (lambda:invoke.waitForTaskToken) for the barista phase; numbers the order. */
export const buildHandler =
  (ports: () => Ports = defaultPorts) =>
  async (event: unknown) => {
    const input = InputSchema.parse(event);
    logger.appendKeys({ shopId: input.shopId, orderId: input.orderId });
    await awaitBarista(ports(), input);
    return { kept: true };
  };

export const handler = buildHandler();
