import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
      const invoke = createLambdaInvoker(new Map([['fn', endpoint.url]]), 'us-east-1');
      expect(await invoke('fn', {})).to.deep.equal({ payload: { ok: true } });
      expect(await invoke('fn', {})).to.deep.equal({
        payload: { errorMessage: 'boom' },
        functionError: 'Unhandled',
      });
    } finally {
      await endpoint.stop();
    }
  });

  it('gives up on an invocation that never answers, past the function timeout and a grace', async () => {
    const endpoint = await lambdaEndpoint(() => undefined);
    try {
      const invoke = createLambdaInvoker(
        new Map([['slow', endpoint.url]]),
        'us-east-1',
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
    const invoke = createLambdaInvoker(new Map(), 'us-east-1');
    const error = await invoke('nowhere', {}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.equal('no local service runs the function nowhere');
  });
});
