/** One HTTP answer as the simulator saw it. */
export interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

/** Requests made and errors seen, per route template (`PUT /shops/{shopId}/orders/{orderId}`). */
export interface RequestLog {
  requests: Record<string, number>;
  /** Total time spent waiting for answers, per route (ms). */
  ms?: Record<string, number>;
  errors: { route: string; status: number; message: string }[];
}

/**
 * An answer that is an error of the system rather than of the client: a 5xx, or serverless
 * offline's Lambda timeout, which it answers as HTTP 200 with a `LambdaTimeoutError` body.
 */
export const systemError = (status: number, body: unknown): string | undefined => {
  if (status >= 500) return `HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`;
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const type = b.errorType ?? b.errorName ?? b.name;
    if (typeof type === 'string' && /error/i.test(type) && !('error' in b)) {
      return `${type}: ${String(b.errorMessage ?? b.message ?? '').slice(0, 200)}`;
    }
  }
  if (typeof body === 'string' && /LambdaTimeoutError|Service Unavailable/.test(body)) {
    return body.slice(0, 200);
  }
  return undefined;
};

/** A JSON client of the stack's HTTP APIs that counts requests and system errors per route. */
export const createHttp = (log: RequestLog) => {
  return async (
    base: string,
    method: string,
    path: string,
    route: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const key = `${method} ${route}`;
    log.requests[key] = (log.requests[key] ?? 0) + 1;
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    let status = 0;
    let body: unknown;
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      status = response.status;
      const text = await response.text();
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
    } catch (error) {
      body = String(error);
    }
    const ms = performance.now() - started;
    if (log.ms) log.ms[key] = (log.ms[key] ?? 0) + ms;
    const error = status === 0 ? `network: ${String(body)}` : systemError(status, body);
    if (error) log.errors.push({ route: key, status, message: error });
    return { status, body, ms };
  };
};

export type Http = ReturnType<typeof createHttp>;
