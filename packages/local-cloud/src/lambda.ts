import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { localCredentials } from './util';

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

/**
 * Invokes functions through the serverless offline Lambda endpoint of the service that owns
 * them (`routes`: function name → endpoint), with `RequestResponse`: offline's async `Event`
 * invocations crash the whole offline process when a handler throws (TOOLCHAIN.md).
 */
export const createLambdaInvoker = (
  routes: Map<string, string>,
  region: string,
  /** Each function's timeout (s, from its template): an answer later than that never comes. */
  timeouts: Map<string, number> = new Map(),
  graceSeconds = INVOKE_GRACE_SECONDS,
): InvokeLambda => {
  const clients = new Map<string, LambdaClient>();
  const clientFor = (endpoint: string) => {
    let client = clients.get(endpoint);
    if (!client) {
      client = new LambdaClient({
        endpoint,
        region,
        credentials: localCredentials,
        maxAttempts: 1,
      });
      clients.set(endpoint, client);
    }
    return client;
  };
  return async (nameOrArn, payload) => {
    const name = functionNameOf(nameOrArn);
    const endpoint = routes.get(name);
    if (!endpoint) throw new Error(`no local service runs the function ${name}`);
    // Lambda ends an invocation at the function's timeout; serverless offline answers then too.
    // Should its answer never come (a lost connection), the caller hears of it as a Lambda
    // service error after a grace, instead of waiting forever (a stream poller would stall).
    const limitMs = ((timeouts.get(name) ?? MAX_TIMEOUT_SECONDS) + graceSeconds) * 1000;
    let result: InvokeCommandOutput;
    try {
      result = await clientFor(endpoint).send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(payload ?? {})),
        }),
        { abortSignal: AbortSignal.timeout(limitMs) },
      );
    } catch (error) {
      if ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') {
        throw Object.assign(new Error(`${name} gave no answer in ${limitMs / 1000} s`), {
          name: 'ServiceException',
        });
      }
      throw error;
    }
    const text = result.Payload ? new TextDecoder().decode(result.Payload) : '';
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // a non-JSON result stays text
    }
    return result.FunctionError
      ? { payload: parsed, functionError: result.FunctionError }
      : { payload: parsed };
  };
};
