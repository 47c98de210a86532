import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { createLambdaInvoker, functionNameOf } from '../src/lambda';

/** A stand-in for serverless offline's Lambda endpoint: `answer` decides what each invoke gets. */
const lambdaEndpoint = async (answer: (res: import('node:http').ServerResponse) => void) => {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

describe('local Lambda invoker', () => {
  it('names a function by its name or its ARN', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:fn:live')).to.equal('fn');
    expect(functionNameOf('fn')).to.equal('fn');
  });

  it('returns the parsed result, and the error object with FunctionError', async () => {
    let calls = 0;
    const endpoint = await lambdaEndpoint((res) => {
      calls++;
      const failed = calls > 1;
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(failed ? { 'x-amz-function-error': 'Unhandled' } : {}),
      });
      res.end(JSON.stringify(failed ? { errorMessage: 'boom' } : { ok: true }));
    });
    try {
      const invoke = createLambdaInvoker(new Map([['fn', endpoint.url]]));
      expect(await invoke('fn', {})).to.deep.equal({ payload: { ok: true } });
      expect(await invoke('fn', {})).to.deep.equal({
        payload: { errorMessage: 'boom' },
        functionError: 'Unhandled',
      });
    } finally {
      await endpoint.stop();
    }
  });

  it("calls Lambda's Invoke API: POST /2015-03-31/functions/<name>/invocations, RequestResponse, the payload as JSON", async () => {
    const seen: { method?: string; url?: string; type?: string; body: string }[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({
          method: req.method,
          url: req.url,
          type: String(req.headers['x-amz-invocation-type']),
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('"done"');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const invoke = createLambdaInvoker(new Map([['fn-1', url]]));
      const arn = 'arn:aws:lambda:us-east-1:000000000000:function:fn-1';
      expect(await invoke(arn, { a: [1, 'ü'] })).to.deep.equal({ payload: 'done' });
      expect(await invoke('fn-1', undefined)).to.deep.equal({ payload: 'done' });
      expect(seen).to.deep.equal([
        {
          method: 'POST',
          url: '/2015-03-31/functions/fn-1/invocations',
          type: 'RequestResponse',
          body: '{"a":[1,"ü"]}',
        },
        {
          method: 'POST',
          url: '/2015-03-31/functions/fn-1/invocations',
          type: 'RequestResponse',
          body: '{}',
        },
      ]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  /**
   * What the Lambda service itself refuses (not the function) throws an error named as the AWS
   * SDK's LambdaClient names it — Step Functions' `Lambda.<name>` and the rules' retries read the
   * name — checked against the SDK on the same answers: serverless offline's unknown function,
   * and the fault proxy's injected service error.
   */
  for (const [what, status, headers, body] of [
    [
      "serverless offline's unknown function",
      404,
      { 'x-amzn-errortype': 'ResourceNotFoundException' },
      { Message: 'Function not found: fn', Type: 'User' },
    ],
    [
      'a service error',
      500,
      { 'x-amzn-errortype': 'ServiceException' },
      { Type: 'Service', message: 'injected' },
    ],
    ['an error the answer does not name', 502, {}, { message: 'bad gateway' }],
    [
      'a throttle named only in the body',
      429,
      {},
      { __type: 'TooManyRequestsException', message: 'Rate exceeded' },
    ],
  ] as const) {
    it(`throws what the SDK throws for ${what} (${status})`, async () => {
      const endpoint = await lambdaEndpoint((res) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      });
      try {
        const sdk = new LambdaClient({
          endpoint: endpoint.url,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 1,
        });
        const expected = await sdk
          .send(new InvokeCommand({ FunctionName: 'fn', Payload: new TextEncoder().encode('{}') }))
          .then(
            () => undefined,
            (e: unknown) => e as Error,
          );
        sdk.destroy();
        const invoke = createLambdaInvoker(new Map([['fn', endpoint.url]]));
        const error = await invoke('fn', {}).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(expected, 'the SDK throws').to.be.instanceOf(Error);
        expect({ name: error?.name, message: error?.message }).to.deep.equal({
          name: expected?.name,
          message: expected?.message,
        });
      } finally {
        await endpoint.stop();
      }
    });
  }

  it('gives up on an invocation that never answers, past the function timeout and a grace', async () => {
    const endpoint = await lambdaEndpoint(() => undefined);
    try {
      const invoke = createLambdaInvoker(
        new Map([['slow', endpoint.url]]),
        new Map([['slow', 0.1]]),
        0.1,
      );
      const started = Date.now();
      const error = await invoke('slow', {}).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.name).to.equal('ServiceException');
      expect(error?.message).to.equal('slow gave no answer in 0.2 s');
      expect(Date.now() - started).to.be.within(150, 5000);
    } finally {
      await endpoint.stop();
    }
  });

  it('refuses a function no local service runs', async () => {
    const invoke = createLambdaInvoker(new Map());
    const error = await invoke('nowhere', {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('no local service runs the function nowhere');
  });
});
