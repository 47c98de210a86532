import { describeZodError } from '@espresso/schemas';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type * as z from 'zod';
import { HttpError, invalidRequest } from './errors';
import { logger } from './logger';

export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/** The one place where errors become HTTP answers: 4xx show their message, a 500 says nothing. */
export const errorResult = (error: unknown): HttpResult => {
  if (error instanceof HttpError && error.status < 500) {
    logger.info('request refused', { code: error.code, field: error.field });
    return json(error.status, error.toBody());
  }
  logger.error('unexpected error', { error: error as Error });
  return json(500, { error: { code: 'INTERNAL_ERROR', message: 'internal error' } });
};

/**
 * Wraps a route handler: adds the request to the logs and maps errors to responses.
 * The handler returns a result (use `json`), or throws an `HttpError`.
 */
export const httpHandler =
  <E extends APIGatewayProxyEventV2>(route: (event: E) => Promise<HttpResult>) =>
  async (event: E, context?: Context): Promise<HttpResult> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.routeKey });
    try {
      return await route(event);
    } catch (error) {
      return errorResult(error);
    } finally {
      logger.removeKeys(['requestId', 'route', 'shopId', 'orderId']);
    }
  };

/** Parses path parameters; a failure is a 400 naming the parameter. */
export const parsePath = <S extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: S,
): z.infer<S> => {
  const parsed = schema.safeParse(event.pathParameters ?? {});
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw invalidRequest(field, message);
  }
  return parsed.data;
};

/**
 * Parses an optional request header (any case) with its schema: absent is `undefined`, a
 * failure is a 400 whose `field` is the header's name.
 */
export const parseHeader = <S extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  name: string,
  schema: S,
): z.infer<S> | undefined => {
  const value = headerValue(event, name.toLowerCase());
  if (value === undefined) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw invalidRequest(name, parsed.error.issues[0]?.message ?? `${name} is not valid`);
  }
  return parsed.data;
};

/**
 * Parses a JSON body with its schema: a missing body, a non-JSON content type, malformed JSON
 * and every schema failure are 400s whose message and `field` name the problem.
 */
export const parseJsonBody = <S extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: S,
): z.infer<S> => {
  const contentType = headerValue(event, 'content-type');
  if (contentType !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw invalidRequest(
      'content-type',
      `content-type must be application/json, not ${contentType}`,
    );
  }
  if (event.body === undefined || event.body === null || event.body === '') {
    throw invalidRequest('(body)', 'a JSON body is required');
  }
  const text = event.isBase64Encoded
    ? Buffer.from(event.body, 'base64').toString('utf8')
    : event.body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest('(body)', 'the body is not valid JSON');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    throw invalidRequest(field, message);
  }
  return parsed.data;
};

const headerValue = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const headers = event.headers ?? {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
};
