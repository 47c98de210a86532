import * as z from 'zod';

/** Every error code an API can answer with, and the HTTP status it travels with. */
export const ERROR_STATUS = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
} as const;

export const ErrorCodeSchema = z.enum(
  Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]],
);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The body of every 4xx/5xx answer: `{error: {code, message, field?}}`. */
export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: ErrorCodeSchema,
    message: z.string().min(1),
    field: z.string().min(1).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** A dotted path for a zod issue path, e.g. `menu.2.modifiers.0.name`; `(body)` for the root. */
export const issuePath = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(body)' : path.map((p) => String(p)).join('.');

/**
 * The first issue of a failed parse as `{field, message}`, so a 400 names the field.
 * `prefix` places the parsed value in the request (e.g. `body`, `path`, `query`).
 */
export const describeZodError = (error: z.ZodError): { field: string; message: string } => {
  const issue = error.issues[0];
  if (!issue) return { field: '(body)', message: 'invalid input' };
  const field = issuePath(issue.path);
  // Unknown keys are reported on the parent object; name the key itself.
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const full = issue.path.length === 0 ? key : `${field}.${key}`;
    return { field: full, message: `${full}: unknown field` };
  }
  return { field, message: `${field}: ${issue.message}` };
};
