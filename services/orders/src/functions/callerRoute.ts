import { type HttpResult, httpHandler, parsePath, requireIdentity } from '@espresso/runtime';
import type { Identity } from '@espresso/schemas';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';

/**
 * A signed-in caller's HTTP route: who calls (401 without a valid token) and the path's
 * parameters (400 naming the field) are read before `answer` runs.
 */
export const callerRoute = <S extends z.ZodType>(
  pathSchema: S,
  answer: (request: {
    identity: Identity;
    path: z.infer<S>;
    event: APIGatewayProxyEventV2;
  }) => Promise<HttpResult>,
) =>
  httpHandler(async (event) => {
    const identity = requireIdentity(event);
    return answer({ identity, path: parsePath(event, pathSchema), event });
  });
