import { ErrorBodySchema, ShopPathSchema } from '@espresso/schemas';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import * as z from 'zod';
import {
  conflict,
  forbidden,
  HttpError,
  invalidRequest,
  limitExceeded,
  notFound,
  unauthorized,
} from './errors';
import { errorResult, httpHandler, json, parseHeader, parseJsonBody, parsePath } from './http';
import { logger } from './logger';

/** An HTTP API (payload 2.0) event; `overrides` replace top-level fields. */
const makeEvent = (overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'PUT /things/{thingId}',
  rawPath: '/things/t1',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: {
    accountId: '123456789012',
    apiId: 'api',
    domainName: 'api.example.com',
    domainPrefix: 'api',
    http: {
      method: 'PUT',
      path: '/things/t1',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'mocha',
    },
    requestId: 'req-1',
    routeKey: 'PUT /things/{thingId}',
    stage: '$default',
    time: '24/Nov/2026:08:00:00 +0000',
    timeEpoch: 1795766400000,
  },
  isBase64Encoded: false,
  ...overrides,
});

const jsonEvent = (body: string | undefined, headers: Record<string, string> = {}) =>
  makeEvent({ body, headers });

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The HttpError `fn` throws (fails the test if it returns). */
const thrownBy = (fn: () => unknown): HttpError => {
  try {
    fn();
  } catch (error) {
    expect(error).to.be.instanceOf(HttpError);
    return error as HttpError;
  }
  expect.fail('expected an HttpError');
};

const BodySchema = z.strictObject({
  name: z.string().min(1),
  size: z.enum(['small', 'large']).default('small'),
  items: z.array(z.strictObject({ qty: z.number().int().positive() })).optional(),
});

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:fn',
  memoryLimitInMB: '128',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/fn',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 1000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

describe('http', () => {
  const sandbox = sinon.createSandbox();

  beforeEach(() => {
    // Keep the test output clean; tests that care assert on these stubs.
    sandbox.stub(logger, 'info');
    sandbox.stub(logger, 'warn');
    sandbox.stub(logger, 'error');
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('json', () => {
    it('answers with the status, a JSON content type and the serialised body', () => {
      expect(json(201, { a: 1 })).to.deep.equal({
        statusCode: 201,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '{"a":1}',
      });
    });
  });

  describe('parseJsonBody', () => {
    describe('accepts', () => {
      [
        {
          name: 'application/json',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'application/json' }),
        },
        {
          name: 'application/json with a charset',
          input: jsonEvent('{"name":"flat white"}', {
            'content-type': 'application/json; charset=utf-8',
          }),
        },
        {
          name: 'a vendor +json type',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'application/vnd.x+json' }),
        },
        {
          name: 'a content type in upper case',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'APPLICATION/JSON' }),
        },
        {
          name: 'a Content-Type header name in mixed case',
          input: jsonEvent('{"name":"flat white"}', { 'Content-Type': 'application/json' }),
        },
        {
          name: 'a request without a content-type header',
          input: jsonEvent('{"name":"flat white"}'),
        },
        {
          name: 'a base64-encoded body',
          input: makeEvent({
            body: base64('{"name":"flat white"}'),
            isBase64Encoded: true,
          }),
        },
      ].forEach((c) => {
        it(`${c.name} and returns the parsed value with defaults applied`, () => {
          expect(parseJsonBody(c.input, BodySchema)).to.deep.equal({
            name: 'flat white',
            size: 'small',
          });
        });
      });

      it('decodes a base64 body as UTF-8', () => {
        const event = makeEvent({ body: base64('{"name":"café crème"}'), isBase64Encoded: true });

        expect(parseJsonBody(event, BodySchema).name).to.equal('café crème');
      });
    });

    describe('rejects with a 400 that names the problem', () => {
      [
        {
          name: 'a missing body',
          input: jsonEvent(undefined, { 'content-type': 'application/json' }),
          expected: { field: '(body)', message: 'a JSON body is required' },
        },
        {
          name: 'an empty body',
          input: jsonEvent('', { 'content-type': 'application/json' }),
          expected: { field: '(body)', message: 'a JSON body is required' },
        },
        {
          name: 'a text/plain content type',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'text/plain' }),
          expected: {
            field: 'content-type',
            message: 'content-type must be application/json, not text/plain',
          },
        },
        {
          name: 'a form content type, whatever the header name case',
          input: jsonEvent('name=flat+white', {
            'Content-Type': 'application/x-www-form-urlencoded',
          }),
          expected: {
            field: 'content-type',
            message: 'content-type must be application/json, not application/x-www-form-urlencoded',
          },
        },
        {
          name: 'a JSON-like content type that is not JSON (application/json-seq)',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'application/json-seq' }),
          expected: {
            field: 'content-type',
            message: 'content-type must be application/json, not application/json-seq',
          },
        },
        {
          name: 'a content type that only starts with json (application/jsonp)',
          input: jsonEvent('{"name":"flat white"}', { 'content-type': 'application/jsonp' }),
          expected: {
            field: 'content-type',
            message: 'content-type must be application/json, not application/jsonp',
          },
        },
        {
          name: 'a wrong content type before a missing body',
          input: jsonEvent(undefined, { 'content-type': 'text/html' }),
          expected: {
            field: 'content-type',
            message: 'content-type must be application/json, not text/html',
          },
        },
        {
          name: 'malformed JSON',
          input: jsonEvent('{"name":', { 'content-type': 'application/json' }),
          expected: { field: '(body)', message: 'the body is not valid JSON' },
        },
        {
          name: 'a base64 body that decodes to malformed JSON',
          input: makeEvent({ body: base64('{"name" "x"}'), isBase64Encoded: true }),
          expected: { field: '(body)', message: 'the body is not valid JSON' },
        },
        {
          name: 'a base64 body sent without the base64 flag',
          input: makeEvent({ body: base64('{"name":"x"}'), isBase64Encoded: false }),
          expected: { field: '(body)', message: 'the body is not valid JSON' },
        },
        {
          name: 'a JSON value that is not an object',
          input: jsonEvent('null'),
          expected: { field: '(body)', message: /^\(body\): / },
        },
        {
          name: 'a field of the wrong type',
          input: jsonEvent('{"name":42}'),
          expected: { field: 'name', message: /^name: / },
        },
        {
          name: 'a missing required field',
          input: jsonEvent('{"size":"large"}'),
          expected: { field: 'name', message: /^name: / },
        },
        {
          name: 'a bad value deep inside an array',
          input: jsonEvent('{"name":"x","items":[{"qty":1},{"qty":0}]}'),
          expected: { field: 'items.1.qty', message: /^items\.1\.qty: / },
        },
        {
          name: 'an unknown top-level key, by its own name',
          input: jsonEvent('{"name":"x","price":3}'),
          expected: { field: 'price', message: 'price: unknown field' },
        },
        {
          name: 'an unknown nested key, by its full path',
          input: jsonEvent('{"name":"x","items":[{"qty":1,"colour":"red"}]}'),
          expected: { field: 'items.0.colour', message: 'items.0.colour: unknown field' },
        },
      ].forEach((c) => {
        it(c.name, () => {
          const error = thrownBy(() => parseJsonBody(c.input, BodySchema));

          expect(error.status).to.equal(400);
          expect(error.code).to.equal('INVALID_REQUEST');
          expect(error.field).to.equal(c.expected.field);
          if (typeof c.expected.message === 'string') {
            expect(error.message).to.equal(c.expected.message);
          } else {
            expect(error.message).to.match(c.expected.message);
          }
        });
      });
    });
  });

  describe('parsePath', () => {
    it('returns the parsed path parameters', () => {
      const event = makeEvent({ pathParameters: { shopId: 'cafe-1' } });

      expect(parsePath(event, ShopPathSchema)).to.deep.equal({ shopId: 'cafe-1' });
    });

    [
      { name: 'a missing parameter', input: makeEvent({ pathParameters: {} }) },
      { name: 'an event without path parameters', input: makeEvent() },
      { name: 'an invalid value', input: makeEvent({ pathParameters: { shopId: 'Cafe One' } }) },
    ].forEach((c) => {
      it(`rejects ${c.name} with a 400 naming the parameter`, () => {
        const error = thrownBy(() => parsePath(c.input, ShopPathSchema));

        expect(error.status).to.equal(400);
        expect(error.field).to.equal('shopId');
        expect(error.message).to.match(/^shopId: /);
      });
    });
  });

  describe('parseHeader', () => {
    const KeySchema = z.string().min(8, 'Idempotency-Key must be at least 8 characters');

    it('reads a header whatever the case of its name', () => {
      const event = makeEvent({ headers: { 'IDEMPOTENCY-key': 'abcdefgh-1' } });

      expect(parseHeader(event, 'Idempotency-Key', KeySchema)).to.equal('abcdefgh-1');
    });

    it('is undefined when the header is absent', () => {
      expect(parseHeader(makeEvent(), 'Idempotency-Key', KeySchema)).to.equal(undefined);
    });

    it('rejects a bad value with a 400 naming the header', () => {
      const event = makeEvent({ headers: { 'idempotency-key': 'short' } });

      const error = thrownBy(() => parseHeader(event, 'Idempotency-Key', KeySchema));

      expect(error.status).to.equal(400);
      expect(error.field).to.equal('Idempotency-Key');
      expect(error.message).to.equal('Idempotency-Key must be at least 8 characters');
    });
  });

  describe('json', () => {
    it('adds extra headers to the JSON content type', () => {
      expect(json(202, { a: 1 }, { 'idempotent-replayed': 'true' })).to.deep.equal({
        statusCode: 202,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'idempotent-replayed': 'true',
        },
        body: '{"a":1}',
      });
    });
  });

  describe('httpHandler', () => {
    const parsedBody = (result: { body?: string }) => JSON.parse(result.body ?? 'null');

    it('passes the event to the route and returns its result', async () => {
      const event = makeEvent({ body: '{"x":1}' });
      const route = sandbox.stub().resolves(json(200, { ok: true }));

      const result = await httpHandler(route)(event);

      expect(route.calledOnceWithExactly(event)).to.equal(true);
      expect(result).to.deep.equal(json(200, { ok: true }));
    });

    [
      {
        name: 'an invalid request as a 400 naming the field',
        input: invalidRequest('menu.0.name', 'menu.0.name: must not be empty'),
        expected: {
          status: 400,
          body: {
            error: {
              code: 'INVALID_REQUEST',
              message: 'menu.0.name: must not be empty',
              field: 'menu.0.name',
            },
          },
        },
      },
      {
        name: 'a missing sign-in as a 401',
        input: unauthorized(),
        expected: {
          status: 401,
          body: {
            error: { code: 'UNAUTHORIZED', message: 'sign in first: a bearer token is required' },
          },
        },
      },
      {
        name: 'a wrong role as a 403',
        input: forbidden('requires the admin role'),
        expected: {
          status: 403,
          body: { error: { code: 'FORBIDDEN', message: 'requires the admin role' } },
        },
      },
      {
        name: 'a missing resource as a 404',
        input: notFound('shop cafe does not exist'),
        expected: {
          status: 404,
          body: { error: { code: 'NOT_FOUND', message: 'shop cafe does not exist' } },
        },
      },
      {
        name: 'a conflict as a 409',
        input: conflict('try again', 'version'),
        expected: {
          status: 409,
          body: { error: { code: 'CONFLICT', message: 'try again', field: 'version' } },
        },
      },
      {
        name: 'a limit as a 429',
        input: limitExceeded('3 orders a day at most'),
        expected: {
          status: 429,
          body: { error: { code: 'LIMIT_EXCEEDED', message: '3 orders a day at most' } },
        },
      },
    ].forEach((c) => {
      it(`answers ${c.name}`, async () => {
        const result = await httpHandler(async () => {
          throw c.input;
        })(makeEvent());

        expect(result.statusCode).to.equal(c.expected.status);
        expect(result.headers).to.deep.equal({ 'content-type': 'application/json; charset=utf-8' });
        expect(ErrorBodySchema.parse(parsedBody(result))).to.deep.equal(c.expected.body);
      });
    });

    [
      {
        name: 'an Error with internal details',
        input: new Error('connect ECONNREFUSED db-prod-1.internal:5432 (user espresso)'),
      },
      {
        name: 'a TypeError from a bug',
        input: new TypeError("Cannot read properties of undefined (reading 'shopId')"),
      },
      { name: 'a thrown string', input: 'SHOPS_TABLE=espresso-config-prod-shops' },
      {
        name: 'an HttpError with the INTERNAL_ERROR code',
        input: new HttpError('INTERNAL_ERROR', 'dynamo table espresso-prod-shops throttled'),
      },
      { name: 'a thrown undefined', input: undefined },
    ].forEach((c) => {
      it(`answers ${c.name} with a 500 that says nothing internal`, async () => {
        const result = await httpHandler(async () => {
          throw c.input;
        })(makeEvent());

        expect(result.statusCode).to.equal(500);
        expect(ErrorBodySchema.parse(parsedBody(result))).to.deep.equal({
          error: { code: 'INTERNAL_ERROR', message: 'internal error' },
        });
        expect(result.body).not.to.match(/db-prod|ECONNREFUSED|shopId|SHOPS_TABLE|espresso/);
      });
    });

    it('logs an unexpected error with the error itself', async () => {
      const boom = new Error('boom');

      await httpHandler(async () => {
        throw boom;
      })(makeEvent());

      expect(
        (logger.error as sinon.SinonStub).calledWith('unexpected error', { error: boom }),
      ).to.equal(true);
    });

    it('logs a refused request at info level with its code and field, not as an error', async () => {
      await httpHandler(async () => {
        throw invalidRequest('name', 'name: required');
      })(makeEvent());

      expect(
        (logger.info as sinon.SinonStub).calledWith('request refused', {
          code: 'INVALID_REQUEST',
          field: 'name',
        }),
      ).to.equal(true);
      expect((logger.error as sinon.SinonStub).called).to.equal(false);
    });

    it('adds the request id and route to the logs and removes them after a failure', async () => {
      const appendKeys = sandbox.spy(logger, 'appendKeys');
      const removeKeys = sandbox.spy(logger, 'removeKeys');

      await httpHandler(async () => {
        throw new Error('boom');
      })(makeEvent());

      expect(
        appendKeys.calledWith({ requestId: 'req-1', route: 'PUT /things/{thingId}' }),
      ).to.equal(true);
      expect(removeKeys.calledOnce).to.equal(true);
      expect(removeKeys.firstCall.args[0]).to.include.members(['requestId', 'route', 'shopId']);
      expect(removeKeys.calledAfter(appendKeys)).to.equal(true);
    });

    it('adds the Lambda context to the logs when it is given', async () => {
      const addContext = sandbox.stub(logger, 'addContext');

      await httpHandler(async () => json(204, {}))(makeEvent(), lambdaContext);

      expect(addContext.calledOnceWithExactly(lambdaContext)).to.equal(true);
    });
  });

  describe('errorResult', () => {
    it('maps an HttpError to its status and body', () => {
      const result = errorResult(notFound('no such shop'));

      expect(result.statusCode).to.equal(404);
      expect(JSON.parse(result.body ?? '')).to.deep.equal({
        error: { code: 'NOT_FOUND', message: 'no such shop' },
      });
    });
  });
});
