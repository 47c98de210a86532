import { Agent, request } from 'node:http';

export interface InvokeResult {
  /** The function's parsed result (or its error object when `functionError` is set). */
  payload: unknown;
  /** `Unhandled` when the handler threw, as Lambda reports it. */
  functionError?: string;
}

/** Calls a Lambda function synchronously by name or ARN, wherever it runs locally. */
export type InvokeLambda = (functionNameOrArn: string, payload: unknown) => Promise<InvokeResult>;

/** Lambda's longest timeout, for a function whose own is not known. */
const MAX_TIMEOUT_SECONDS = 900;
/** How long after a function's timeout an invocation is given up as lost. */
const INVOKE_GRACE_SECONDS = 30;

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` → `<name>`. */
export const functionNameOf = (nameOrArn: string): string => {
  const match = /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  return match?.[1] ?? nameOrArn;
};

/** An error Lambda's Invoke API answered (not the function's): named as the AWS SDK names it. */
const serviceError = (status: number, errorType: string | undefined, text: string): Error => {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the text is the message
  }
  const fromBody = [body.__type, body.code].find((v): v is string => typeof v === 'string');
  // `x-amzn-ErrorType: <name>:<doc URL>`, or `__type: <namespace>#<name>`; the SDK says Unknown.
  const name = (errorType ?? fromBody)?.split(':')[0]?.split('#').at(-1) || 'Unknown';
  const message =
    (typeof body.message === 'string' && body.message) ||
    (typeof body.Message === 'string' && body.Message) ||
    text ||
    'UnknownError';
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
};

/**
 * Invokes functions through the serverless offline Lambda endpoint of the service that owns
 * them (`routes`: function name → endpoint), with `RequestResponse`: offline's async `Event`
 * invocations crash the whole offline process when a handler throws (TOOLCHAIN.md).
 *
 * It speaks Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`) over plain
 * HTTP with kept-alive connections rather than through the AWS SDK's `LambdaClient`: these calls
 * are the local Step Functions, rules and pollers reaching a function (AWS's services do not
 * sign with a client SDK either), the endpoint checks no signature, and the SDK's middleware,
 * signing and serde cost ≈ 0.5 CPU ms more a call (packages/bench/README.md) — ≈ 15 calls an
 * order. Answers as the SDK reads them: 2xx with `X-Amz-Function-Error` is a function error;
 * any other status throws an error named by `x-amzn-ErrorType` (or the body's `__type` or `code`).
 */
export const createLambdaInvoker = (
  routes: Map<string, string>,
  /** Each function's timeout (s, from its template): an answer later than that never comes. */
  timeouts: Map<string, number> = new Map(),
  graceSeconds = INVOKE_GRACE_SECONDS,
): InvokeLambda => {
  // As many sockets per endpoint as the SDK's default handler keeps (50); more calls queue.
  const agent = new Agent({ keepAlive: true, maxSockets: 50 });
  const post = (url: string, body: string, signal: AbortSignal) =>
    new Promise<{ status: number; functionError?: string; errorType?: string; text: string }>(
      (resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            agent,
            signal,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'x-amz-invocation-type': 'RequestResponse',
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const header = (name: string) => {
                const value = res.headers[name];
                return Array.isArray(value) ? value[0] : value;
              };
              resolve({
                status: res.statusCode ?? 0,
                functionError: header('x-amz-function-error'),
                errorType: header('x-amzn-errortype'),
                text: Buffer.concat(chunks).toString('utf8'),
              });
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
  return async (nameOrArn, payload) => {
    const name = functionNameOf(nameOrArn);
    const endpoint = routes.get(name);
    if (!endpoint) throw new Error(`no local service runs the function ${name}`);
    // Lambda ends an invocation at the function's timeout; serverless offline answers then too.
    // Should its answer never come (a lost connection), the caller hears of it as a Lambda
    // service error after a grace, instead of waiting forever (a stream poller would stall).
    const limitMs = ((timeouts.get(name) ?? MAX_TIMEOUT_SECONDS) + graceSeconds) * 1000;
    const url = `${endpoint.replace(/\/+$/, '')}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;
    let answer: Awaited<ReturnType<typeof post>>;
    try {
      answer = await post(url, JSON.stringify(payload ?? {}), AbortSignal.timeout(limitMs));
    } catch (error) {
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
        throw Object.assign(new Error(`${name} gave no answer in ${limitMs / 1000} s`), {
          name: 'ServiceException',
        });
      }
      throw error;
    }
    if (answer.status < 200 || answer.status >= 300) {
      throw serviceError(answer.status, answer.errorType, answer.text);
    }
    const { text } = answer;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // a non-JSON result stays text
    }
    return answer.functionError
      ? { payload: parsed, functionError: answer.functionError }
      : { payload: parsed };
  };
};
