// biome-ignore-all lint/suspicious/noTemplateCurlyInString: compose params are literal ${service.Output} text.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EVENT_DETAIL_SCHEMAS } from '@espresso/schemas';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { LOCAL_ACCOUNT_ID } from '../src/cloudformation';
import { maxInstancesOf } from '../src/offline';
import { type Stack, startStack } from '../src/stack';
import { localCredentials, waitFor } from '../src/util';

/** The probe's cap on instances per function: every service's but the publisher's. */
const MAX_INSTANCES = maxInstancesOf('probe');

const fixtureDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'probe');

/**
 * The whole path on one machine: the config API (serverless offline) puts an event on the local
 * bus; the probe service's rules — built from its packaged template — deliver it to a Lambda
 * target (run in the probe's serverless offline) and, through an InputTransformer, to an SQS queue.
 */
describe('local cloud end to end: config API → bus → rule targets', function () {
  this.timeout(60_000);
  let stack: Stack;
  let stateDir: string;
  let sqs: SQSClient;
  /** Each service's serverless offline Lambda endpoint, in start order (the probe's last). */
  const lambdaEndpoints: string[] = [];

  before(async function () {
    this.timeout(240_000);
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'espresso-e2e-'));
    stack = await startStack({
      services: ['config'],
      extraServices: [
        {
          name: 'probe',
          dir: fixtureDir,
          params: { eventBusName: '${config.EventBusName}', eventBusArn: '${config.EventBusArn}' },
        },
      ],
      stateDir,
      persist: false,
      ports: 'free',
      interpose: async (target, url) => {
        if (target === 'lambda') lambdaEndpoints.push(url);
        return url;
      },
    });
    sqs = new SQSClient({
      endpoint: stack.endpoints.aws.sqs,
      region: 'us-east-1',
      credentials: localCredentials,
    });
  });
  after(async () => {
    await stack?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  /** The nap function's timeout (fixtures/probe/serverless.yml). */
  const NAP_TIMEOUT_MS = 3000;

  /** `n` quick calls of the nap function, each answered 200 without waiting for a timeout. */
  const expectAnswers = async (probe: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      const res = await fetch(`${probe}/nap?ms=0`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.include({ napped: 0, atOnce: 1 });
      expect(Date.now() - started, 'answered without waiting for a timeout').to.be.below(
        NAP_TIMEOUT_MS,
      );
    }
  };

  it('answers a call that ran past the function timeout 503 Service Unavailable, as an HTTP API does, and the next calls again (serverless offline patched)', async () => {
    const probe = stack.endpoints.services?.probe;
    if (!probe) throw new Error('the probe has no HTTP API');
    const timedOut = await fetch(`${probe}/nap?ms=${NAP_TIMEOUT_MS + 1500}`);
    const text = await timedOut.text();
    // Unpatched, serverless offline 13 answered 200 with a LambdaTimeoutError body: a client
    // was told "success" for a call that never finished.
    expect(timedOut.status, text).to.equal(503);
    expect(JSON.parse(text)).to.deep.equal({ message: 'Service Unavailable' });
    expect(timedOut.headers.get('content-type')).to.match(/^application\/json/);

    // Unpatched, the instance's worker thread is gone and each of these times out as well.
    await expectAnswers(probe, 3);
  });

  it('answers a call whose handler threw 500 Internal Server Error, as an HTTP API does, never 200', async () => {
    const probe = stack.endpoints.services?.probe;
    if (!probe) throw new Error('the probe has no HTTP API');
    const failed = await fetch(`${probe}/nap?ms=0&fail=1`);
    const text = await failed.text();
    expect(failed.status, text).to.equal(500);
    expect(JSON.parse(text)).to.deep.equal({ message: 'Internal Server Error' });
    await expectAnswers(probe, 1);
  });

  it("reports a thrown error's stack at its TypeScript source line: the bundle's source map (names and positions only) is applied", async () => {
    const endpoint = lambdaEndpoints.at(-1);
    if (!endpoint) throw new Error('no Lambda endpoint of the probe');
    const res = await fetch(
      `${endpoint}/2015-03-31/functions/espresso-probe-${stack.stage}-nap/invocations`,
      { method: 'POST', body: JSON.stringify({ queryStringParameters: { ms: '0', fail: '1' } }) },
    );
    const text = await res.text();
    expect(res.headers.get('x-amz-function-error'), text).to.equal('Unhandled');
    const { errorMessage, trace } = JSON.parse(text) as { errorMessage: string; trace: string[] };
    expect(errorMessage).to.equal('nap failed after 0 ms');
    // Without the map the frame would name `nap.mjs`, the minified bundle.
    expect(trace.join('\n')).to.match(/src\/nap\.ts:\d+:\d+/);
  });

  it('runs concurrent calls of a function in separate instances, each with its own module state, and reuses a warm instance afterwards', async () => {
    const probe = stack.endpoints.services?.probe;
    if (!probe) throw new Error('the probe has no HTTP API');
    const nap = async (ms: number) => {
      const res = await fetch(`${probe}/nap?ms=${ms}`);
      expect(res.status).to.equal(200);
      return (await res.json()) as { instance: string; atOnce: number };
    };
    // As many calls at once as a function may have instances: that many instances (offline's
    // worker threads, a module copy each), none running two calls — as Lambda runs one call per
    // instance.
    const together = await Promise.all(Array.from({ length: MAX_INSTANCES }, () => nap(400)));
    expect(together.map((a) => a.atOnce)).to.deep.equal(together.map(() => 1));
    expect(new Set(together.map((a) => a.instance)).size).to.equal(MAX_INSTANCES);
    // One after the other: an idle instance of those answers (a warm start, no new import).
    const known = new Set([...together.map((a) => a.instance)]);
    for (let i = 0; i < 3; i++) expect(known).to.include((await nap(0)).instance);
  });

  it(`runs at most ${MAX_INSTANCES} instances of a function; a call finding them all busy waits for one, its timeout counted from its start`, async () => {
    const probe = stack.endpoints.services?.probe;
    if (!probe) throw new Error('the probe has no HTTP API');
    // Three rounds' worth of naps at once, each 40 % of the nap's timeout: the last round ends
    // ≥ 120 % of the timeout after it was asked, so a wait counted against the timeout would
    // answer 503.
    const napMs = 0.4 * NAP_TIMEOUT_MS;
    const calls = 2 * MAX_INSTANCES + 1;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: calls }, async () => {
        const res = await fetch(`${probe}/nap?ms=${napMs}`);
        const body = await res.text();
        expect(res.status, body).to.equal(200);
        return JSON.parse(body) as { instance: string; atOnce: number };
      }),
    );
    const elapsed = performance.now() - started;
    expect(answers.map((a) => a.atOnce)).to.deep.equal(answers.map(() => 1));
    expect(new Set(answers.map((a) => a.instance)).size).to.equal(MAX_INSTANCES);
    expect(elapsed).to.be.at.least(3 * napMs);
  });

  it('builds the probe rules from the packaged template', () => {
    const rules = stack.rules.rules().filter((r) => r.busName === 'espresso-config-local-bus');
    expect(rules.flatMap((r) => r.targets.map((t) => t.arn.split(':')[2])).sort()).to.deep.equal([
      'lambda',
      'sqs',
      'sqs',
    ]);
  });

  it("delivers a ConfigChanged from the config API to a rule's Lambda target and SQS target", async () => {
    const shopId = `e2e-${Date.now().toString(36)}`;
    const token = await stack.mintToken({ role: 'admin', shopId });
    const response = await fetch(`${stack.endpoints.config}/shops/${shopId}/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'E2E bar',
        open: true,
        menu: [{ drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true }],
      }),
    });
    expect(response.status).to.equal(201);

    // Lambda target: the probe function re-emits what it received as Probe.Received.
    const received = await waitFor(async () => {
      const found = stack.eventBridge
        .events()
        .find(
          (e) =>
            e['detail-type'] === 'Probe.Received' &&
            (e.detail.detail as { shopId?: string } | undefined)?.shopId === shopId,
        );
      if (!found) throw new Error('the Lambda target has not run yet');
      return found;
    }, 20_000);
    expect(received.detail.detailType).to.equal('ConfigService.ConfigChanged');
    const detail = EVENT_DETAIL_SCHEMAS['ConfigService.ConfigChanged'].parse(
      received.detail.detail,
    );
    expect(detail).to.include({ shopId, change: 'CREATED', configVersion: 1 });

    // SQS target: the InputTransformer's output, as the queue holds it.
    const queueUrl = `${stack.endpoints.aws.sqs}/${LOCAL_ACCOUNT_ID}/espresso-probe-local-probe`;
    const body = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      for (const message of Messages) {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
      const mine = Messages.map((m) => JSON.parse(m.Body ?? '{}')).find((b) => b.shop === shopId);
      if (!mine) throw new Error('the SQS target has no message yet');
      return mine;
    }, 20_000);
    expect(body).to.deep.equal({ shop: shopId, change: 'CREATED', note: `shop ${shopId} CREATED` });
  });

  it('drains a queue in batches through a Lambda in serverless offline, and a failed item reaches the DLQ', async function () {
    this.timeout(90_000);
    const admin = await stack.mintToken({ role: 'admin', shopId: '*' });
    const ok = `drain-${Date.now().toString(36)}`;
    const bad = `fail-${Date.now().toString(36)}`;
    for (const shopId of [ok, bad]) {
      const response = await fetch(`${stack.endpoints.config}/shops/${shopId}/config`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'Drain bar',
          open: true,
          menu: [{ drinkId: 'espresso', name: 'Espresso', icon: 'espresso', available: true }],
        }),
      });
      expect(response.status).to.equal(201);
    }
    const drained = await waitFor(async () => {
      const found = stack.eventBridge
        .events()
        .find(
          (e) =>
            e['detail-type'] === 'Probe.Drained' &&
            (e.detail.detail as { shopId?: string } | undefined)?.shopId === ok,
        );
      if (!found) throw new Error('not drained yet');
      return found;
    }, 20_000);
    expect(drained.detail.batchSize).to.be.within(1, 5);
    expect(
      stack.eventBridge
        .events()
        .some(
          (e) =>
            e['detail-type'] === 'Probe.Drained' &&
            (e.detail.detail as { shopId?: string } | undefined)?.shopId === bad,
        ),
    ).to.equal(false);

    // The failed item comes back after the queue's 2 s visibility timeout; after 3 receives
    // the redrive policy moves it to the DLQ.
    const queueUrl = `${stack.endpoints.aws.sqs}/${LOCAL_ACCOUNT_ID}/espresso-probe-local-drain`;
    const dlqUrl = `${stack.endpoints.aws.sqs}/${LOCAL_ACCOUNT_ID}/espresso-probe-local-drain-dlq`;
    const dead = await waitFor(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      const mine = Messages.map((m) => JSON.parse(m.Body ?? '{}')).find((b) => b.shopId === bad);
      if (!mine) throw new Error('not in the DLQ yet');
      return mine;
    }, 60_000);
    expect(dead).to.include({ shopId: bad, change: 'CREATED' });
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Attributes.ApproximateNumberOfMessages).to.equal('0');
  });
});
