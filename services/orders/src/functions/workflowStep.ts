import { logger } from '@espresso/runtime';
import type * as z from 'zod';
import { defaultPorts } from '../adapters';
import type { Ports } from '../use-cases/ports';

/**
 * An OrderProcessor task's handler: parses the task's input with `schema`, logs with the
 * order's keys, and runs `step` with the ports (the real ones unless a test passes others).
 */
export const workflowStep =
  <S extends z.ZodType<{ shopId: string; orderId: string }>, R>(
    schema: S,
    step: (ports: Ports, input: z.infer<S>) => Promise<R>,
  ) =>
  (ports: () => Ports = defaultPorts) =>
  async (event: unknown): Promise<R> => {
    const input = schema.parse(event);
    logger.appendKeys({ shopId: input.shopId, orderId: input.orderId });
    return step(ports(), input);
  };
