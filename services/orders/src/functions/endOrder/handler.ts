import { countBusiness } from '@espresso/runtime';
import * as z from 'zod';
import { endOrder } from '../../use-cases/workflowSteps';
import { workflowStep } from '../workflowStep';

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
export const buildHandler = workflowStep(InputSchema, async (ports, input) => {
  const result = await endOrder(ports, input);
  countBusiness('OrdersEnded', { shopId: input.shopId, ending: input.ending });
  return result;
});

export const handler = buildHandler();
