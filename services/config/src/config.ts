import { envReader } from '@espresso/runtime';
import * as z from 'zod';

const EnvSchema = z.object({
  SHOPS_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
});
export type Env = z.infer<typeof EnvSchema>;

/** This service's settings, parsed from the environment once; a missing one fails loudly. */
export const env: () => Env = envReader(EnvSchema);
