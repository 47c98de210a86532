import * as z from 'zod';
import { admitOrder } from '../../use-cases/workflowSteps';
import { workflowStep } from '../workflowStep';

const InputSchema = z.object({
  shopId: z.string(),
  orderId: z.string(),
  executionArn: z.string().startsWith('arn:'),
});

/** OrderProcessor's first task (lambda:invoke): take the order, check the shop, take a slot. */
export const buildHandler = workflowStep(InputSchema, admitOrder);

export const handler = buildHandler();
