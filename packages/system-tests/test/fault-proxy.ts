import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InterposedTarget } from '@espresso/local-cloud';

/** What goes wrong, and how often (0–1), between the handlers and the local AWS endpoints. */
export interface Faults {
  /** DynamoDB answers throttling or an internal error instead of doing the request. */
  dynamodbErrorRate: number;
  /**
   * A Lambda invoke (by Step Functions, a rule or a queue) fails: half of them with a Lambda
   * service error, half as a function that threw (`X-Amz-Function-Error: Unhandled`).
   */
  lambdaErrorRate: number;
  /** A PutEvents is done a second time, up to `jitterMs` later (at-least-once delivery). */
  duplicateEventRate: number;
  jitterMs: number;
  /**
   * A queue poller's delete is lost (answered as done, never done): the messages come back
   * after their visibility timeout, already processed once (a consumer that crashed after its
   * work, or overran the timeout).
   */
  sqsLostDeleteRate?: number;
  /** API Gateway answers a WebSocket `PostToConnection` with a 500 or a 429 instead of posting. */
  websocketErrorRate?: number;
}

export interface FaultProxy {
  interpose(target: InterposedTarget, endpoint: string): Promise<string>;
  /** What was injected so far, by kind. */
  injected: Record<
    'dynamodb' | 'lambda' | 'functionErrors' | 'duplicateEvents' | 'lostDeletes' | 'websocket',
    number
  >;
  /** From now on, forward everything untouched. */
  calm(): void;
  stop(): Promise<void>;
}

const readBody = async (stream: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** A small deterministic random source (mulberry32), so a failing run can be replayed. */
export const seeded = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};

/**
 * A proxy for `StackOptions.interpose` that injects `faults` the way AWS produces them: DynamoDB
 * `ProvisionedThroughputExceededException` (400) and `InternalServerError` (500), which the SDK
 * retries; Lambda `ServiceException` (500) on invoke and handlers that throw (a function error),
 * which Step Functions' Retry, rule retries, stream retries and SQS redelivery must absorb; and EventBridge events put twice, the copy late.
 */
export const createFaultProxy = (faults: Faults, random = seeded(7)): FaultProxy => {
  const servers: Server[] = [];
  const injected = {
    dynamodb: 0,
    lambda: 0,
    functionErrors: 0,
    duplicateEvents: 0,
    lostDeletes: 0,
    websocket: 0,
  };
  let active = true;
  // Connections to the upstream endpoints are kept open: every hop through the proxy costs a
  // request's writes on this machine (a profile of the load test put half its CPU here).
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** The rate of the one fault this proxy injects into a target's traffic (0: none). */
  const rateOf = (target: InterposedTarget): number =>
    ({
      dynamodb: faults.dynamodbErrorRate,
      lambda: faults.lambdaErrorRate,
      events: faults.duplicateEventRate,
      sqs: faults.sqsLostDeleteRate ?? 0,
      websocket: faults.websocketErrorRate ?? 0,
      sfn: 0,
    })[target];

  const forward = (upstream: URL, req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>(
      (resolve, reject) => {
        const out = httpRequest(
          {
            agent,
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) },
          },
          async (answer) =>
            resolve({
              status: answer.statusCode ?? 502,
              headers: answer.headers,
              body: await readBody(answer),
            }),
        );
        out.on('error', reject);
        out.end(body);
      },
    );

  const interpose = async (target: InterposedTarget, endpoint: string) => {
    // Traffic with no fault to inject goes straight to its endpoint.
    if (rateOf(target) <= 0) return endpoint;
    const upstream = new URL(endpoint);
    const server = createServer(async (req, res) => {
      try {
        const body = await readBody(req);
        const amzTarget = String(req.headers['x-amz-target'] ?? '');
        if (active && target === 'dynamodb' && random() < faults.dynamodbErrorRate) {
          injected.dynamodb++;
          const throttle = random() < 0.5;
          const type = throttle ? 'ProvisionedThroughputExceededException' : 'InternalServerError';
          res.writeHead(throttle ? 400 : 500, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-errortype': type,
          });
          res.end(
            JSON.stringify({
              __type: `com.amazonaws.dynamodb.v20120810#${type}`,
              message: 'injected',
            }),
          );
          return;
        }
        if (active && target === 'lambda' && random() < faults.lambdaErrorRate) {
          injected.lambda++;
          if (random() < 0.5) {
            // The handler threw: Lambda answers 200 with the error as the payload.
            injected.functionErrors++;
            res.writeHead(200, {
              'content-type': 'application/json',
              'x-amz-function-error': 'Unhandled',
            });
            res.end(
              JSON.stringify({
                errorType: 'Error',
                errorMessage: 'injected: the handler threw',
                trace: [],
              }),
            );
            return;
          }
          res.writeHead(500, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'ServiceException',
          });
          res.end(JSON.stringify({ Type: 'Service', message: 'injected' }));
          return;
        }
        if (
          active &&
          target === 'sqs' &&
          /\.DeleteMessage(Batch)?$/.test(amzTarget) &&
          random() < (faults.sqsLostDeleteRate ?? 0)
        ) {
          // Answered as SQS answers a delete that worked; the messages stay in flight.
          const request = JSON.parse(body.toString('utf8') || '{}') as {
            Entries?: { Id: string }[];
          };
          injected.lostDeletes += request.Entries?.length ?? 1;
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(
            JSON.stringify(
              request.Entries
                ? { Successful: request.Entries.map(({ Id }) => ({ Id })), Failed: [] }
                : {},
            ),
          );
          return;
        }
        if (
          active &&
          target === 'websocket' &&
          req.method === 'POST' &&
          req.url?.startsWith('/@connections/') &&
          random() < (faults.websocketErrorRate ?? 0)
        ) {
          injected.websocket++;
          const limited = random() < 0.5;
          res.writeHead(limited ? 429 : 500, {
            'content-type': 'application/json',
            'x-amzn-errortype': limited ? 'LimitExceededException' : 'InternalServerErrorException',
          });
          res.end(JSON.stringify({ message: 'injected' }));
          return;
        }
        const answer = await forward(upstream, req, body);
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        if (
          active &&
          target === 'events' &&
          amzTarget.endsWith('PutEvents') &&
          random() < faults.duplicateEventRate
        ) {
          injected.duplicateEvents++;
          setTimeout(
            () => void forward(upstream, req, body).catch(() => undefined),
            Math.floor(random() * faults.jitterMs),
          );
        }
      } catch (error) {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  return {
    interpose,
    injected,
    calm: () => {
      active = false;
    },
    stop: async () => {
      agent.destroy();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections();
              s.close(() => resolve());
            }),
        ),
      );
    },
  };
};
