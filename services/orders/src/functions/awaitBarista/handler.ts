import * as z from 'zod';
import { awaitBarista } from '../../use-cases/workflowSteps';
import { workflowStep } from '../workflowStep';

const InputSchema = z.object({
  taskToken: z.string().min(1),
  shopId: z.string(),
  orderId: z.string(),
  timeoutSeconds: z.number().int().positive(),
});

/** OrderProcessor task (lambda:invoke.waitForTaskToken) for the barista phase; numbers the order. */
export const buildHandler = workflowStep(InputSchema, async (ports, input) => {
  await awaitBarista(ports, input);
  return { kept: true };
});

export const handler = buildHandler();
