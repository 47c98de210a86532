import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from '../local-http-server';
import type { Engine } from './engine';
import { SfnApiError } from './errors';
import { type Operations, sfnOperations } from './operations';
import type { TaskTokens } from './tokens';
import type { Input } from './wire-format';

const MAX_REQUEST_BYTES = 1024 * 1024;
const TARGET_PREFIX = 'AWSStepFunctions.';

const reply = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(JSON.stringify(body));
};

const fail = (res: ServerResponse, status: number, type: string, message: string) =>
  reply(res, status, { __type: type, message }, type);

/** The request body, or undefined when it is larger than 1 MiB. */
const readBody = async (req: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

const parseBody = (body: Buffer): Input | undefined => {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    return undefined;
  }
  return input !== null && typeof input === 'object' ? (input as Input) : {};
};

/** Runs an operation and answers with its output or its error. */
const answer = async (
  res: ServerResponse,
  target: string,
  operation: (input: Input) => unknown,
  input: Input,
) => {
  try {
    return reply(res, 200, await operation(input));
  } catch (error) {
    if (error instanceof SfnApiError) return fail(res, 400, error.type, error.message);
    console.error(`[local-stepfunctions] ${target} failed:`, error);
    return fail(res, 500, 'InternalFailure', 'The local Step Functions failed; see its log');
  }
};

/** Answers one request of the wire protocol (or the local status page). */
const handleRequest = async (
  engine: Engine,
  ops: Operations,
  req: IncomingMessage,
  res: ServerResponse,
) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/_local/executions') {
    return reply(res, 200, { executions: engine.executions(), usage: engine.usage() });
  }
  const body = await readBody(req);
  if (!body) return fail(res, 413, 'ValidationException', 'The request is larger than 1 MiB');
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX)
    ? ops[target.slice(TARGET_PREFIX.length)]
    : undefined;
  if (!operation) {
    const what = target || 'This operation';
    return fail(res, 400, 'UnknownOperationException', `${what} is not supported locally`);
  }
  const input = parseBody(body);
  if (!input) {
    return fail(res, 400, 'SerializationException', 'The request body is not valid JSON');
  }
  return answer(res, target, operation, input);
};

/**
 * Step Functions' awsJson1_0 wire protocol (`POST /`, `X-Amz-Target: AWSStepFunctions.<Op>`,
 * errors `{"__type", "message"}` with status 400), so the SDK's SFNClient works by endpoint.
 * `GET /_local/executions` lists the executions for a status page (the kept ones) and `usage`:
 * executions started and state transitions by type since the engine started, never capped.
 */
export const startSfnServer = async (options: {
  port: number;
  engine: Engine;
  tokens: TaskTokens;
}): Promise<{ endpoint: string; stop(): Promise<void> }> => {
  const ops = sfnOperations(options.engine, options.tokens);
  return listenOnLoopback(options.port, (req, res) => handleRequest(options.engine, ops, req, res));
};
