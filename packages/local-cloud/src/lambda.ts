import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { localCredentials } from './util';

export interface InvokeResult {
  /** The function's parsed result (or its error object when `functionError` is set). */
  payload: unknown;
  /** `Unhandled` when the handler threw, as Lambda reports it. */
  functionError?: string;
}

/** Calls a Lambda function synchronously by name or ARN, wherever it runs locally. */
export type InvokeLambda = (functionNameOrArn: string, payload: unknown) => Promise<InvokeResult>;

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
export const createLambdaInvoker = (routes: Map<string, string>, region: string): InvokeLambda => {
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
    const result = await clientFor(endpoint).send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload ?? {})),
      }),
    );
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
