import type * as z from 'zod';

/**
 * A service's settings: `schema` parses the environment on the first call and the result is
 * kept (cold start), so a missing or malformed one fails loudly before any work.
 */
export const envReader = <S extends z.ZodType>(schema: S): (() => z.infer<S>) => {
  let cached: z.infer<S> | undefined;
  return () => {
    cached ??= schema.parse(process.env);
    return cached as z.infer<S>;
  };
};
