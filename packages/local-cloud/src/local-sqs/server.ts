import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ACTIONS, type Body, queueOf, receivedMessage, receiveParameters } from './actions';
import { SqsError } from './errors';
import type { Queue } from './queue';
import type { QueueStore } from './store';

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

const readBody = async (request: IncomingMessage): Promise<Body> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? (JSON.parse(text) as Body) : {};
  } catch {
    throw new SqsError('SerializationException', 'The request body is not valid JSON.');
  }
};

const answer = (
  response: ServerResponse,
  status: number,
  payload: unknown,
  queryError?: string,
) => {
  response.writeHead(status, {
    'content-type': JSON_CONTENT_TYPE,
    ...(queryError ? { 'x-amzn-query-error': queryError } : {}),
  });
  response.end(JSON.stringify(payload));
};

/** Whether the client of a request has closed its connection (an aborted request). */
const clientGone = (request: IncomingMessage, response: ServerResponse) =>
  response.destroyed || request.socket.destroyed;

/**
 * Waits up to `ms` for the queue to have a message a receive would return, watching the
 * client: false when it went away (or the server stops) meanwhile.
 */
const waitWhileClientStays = async (
  queue: Queue,
  ms: number,
  request: IncomingMessage,
  response: ServerResponse,
  stopping: AbortSignal,
): Promise<boolean> => {
  const left = new AbortController();
  const leave = () => left.abort();
  response.once('close', leave);
  stopping.addEventListener('abort', leave);
  try {
    const deadline = Date.now() + ms;
    while (!left.signal.aborted && !queue.hasVisibleMessages() && Date.now() < deadline) {
      await queue.waitForMessages(deadline - Date.now(), left.signal);
    }
    // Woken by a message: first let the events already received run, a close among them (a
    // client that aborted and then sent the message that woke this poll).
    if (!left.signal.aborted) await new Promise((done) => setImmediate(done));
    return !left.signal.aborted && !clientGone(request, response);
  } finally {
    response.off('close', leave);
    stopping.removeEventListener('abort', leave);
  }
};

/**
 * ReceiveMessage. A long poll waits here, watching its client, and takes messages only once
 * one is visible and the client is still there: an aborted poll takes none (else the message
 * would be hidden for its visibility timeout from everybody). Messages received for a client
 * that left meanwhile are made visible again at once.
 */
const receiveMessage = async (
  store: QueueStore,
  body: Body,
  request: IncomingMessage,
  response: ServerResponse,
  stopping: AbortSignal,
) => {
  const queue = queueOf(store, body);
  const { max, visibilityTimeout, waitSeconds } = receiveParameters(queue, body);
  if (waitSeconds > 0 && !queue.hasVisibleMessages()) {
    const stayed = await waitWhileClientStays(
      queue,
      waitSeconds * 1000,
      request,
      response,
      stopping,
    );
    if (!stayed && !stopping.aborted) {
      response.destroy();
      return;
    }
  }
  const received = queue.receive(max, visibilityTimeout, (arn) => store.byArn(arn));
  if (clientGone(request, response)) {
    for (const { receiptHandle } of received) queue.changeVisibility(receiptHandle, 0);
    return;
  }
  const messages = received.map((entry) => receivedMessage(entry, body));
  answer(response, 200, messages.length > 0 ? { Messages: messages } : {});
};

const handle = async (
  store: QueueStore,
  request: IncomingMessage,
  response: ServerResponse,
  stopping: AbortSignal,
) => {
  const action = String(request.headers['x-amz-target'] ?? '').replace(/^AmazonSQS\./, '');
  const body = await readBody(request);
  if (action === 'ReceiveMessage') {
    await receiveMessage(store, body, request, response, stopping);
    return;
  }
  const run = ACTIONS[action];
  if (!run) throw new SqsError('InvalidAction', `Unknown action: ${action}`);
  answer(response, 200, run(store, body));
};

/** The local SQS's HTTP server: SQS's JSON protocol on `127.0.0.1:<port>`. */
export const startSqsServer = async (store: QueueStore, port: number) => {
  const stopping = new AbortController();
  const server = createServer((request, response) => {
    handle(store, request, response, stopping.signal).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) return;
      if (error instanceof SqsError) answer(response, 400, error, error.queryErrorHeader);
      else {
        console.error('[local-sqs]', error);
        answer(response, 500, { __type: 'com.amazonaws.sqs#InternalFailure', message: 'failed' });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    /** Answers the long polls, then closes the connections. */
    close: async () => {
      stopping.abort();
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeIdleConnections();
      await new Promise((done) => setImmediate(done));
      server.closeAllConnections();
      await closed;
    },
  };
};
