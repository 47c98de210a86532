import * as z from 'zod';
import { awaitCustomer } from '../../use-cases/workflowSteps';
import { workflowStep } from '../workflowStep';

const InputSchema = z.object({
  taskToken: z.string().min(1),
  shopId: z.string(),
  orderId: z.string(),
  timeoutSeconds: z.number().int().positive(),
  executionArn: z.string().startsWith('arn:').optional(),
});

/** OrderProcessor task (lambda:invoke.waitForTaskToken) for the customer phase. */
export const buildHandler = workflowStep(InputSchema, async (ports, input) => {
  await awaitCustomer(ports, input);
  return { kept: true };
});

export const handler = buildHandler();
