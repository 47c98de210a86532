import { envReader } from '@espresso/runtime';
import * as z from 'zod';

const EnvSchema = z.object({
  ORDERS_TABLE: z.string().min(1),
  QR_CODES_TABLE: z.string().min(1),
  COUNTERS_TABLE: z.string().min(1),
  SHOPS_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  ORDER_MANAGER_ARN: z.string().startsWith('arn:'),
});
export type Env = z.infer<typeof EnvSchema>;

/** This service's settings, parsed from the environment once; a missing one fails loudly. */
export const env: () => Env = envReader(EnvSchema);
