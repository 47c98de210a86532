import { randomUUID } from 'node:crypto';
import {
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import * as z from 'zod';
import { type BusEvent, type LocalEventBridge, startLocalEventBridge } from '../src/eventbridge';
import { freePort } from '../src/util';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const BUS = 'espresso-config-test-bus';
const BUS_ARN = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${BUS}`;

/** The error a promise rejects with; fails the test when it resolves instead. */
const rejectionOf = async (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> => {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
};

const LocalEventsSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      'detail-type': z.string(),
      source: z.string(),
      detail: z.record(z.string(), z.unknown()),
      eventBusName: z.string(),
    }),
  ),
});

describe('local EventBridge (PutEvents over JSON 1.1, with the real SDK client)', () => {
  let bridge: LocalEventBridge | undefined;
  let client: EventBridgeClient;

  const local = (): LocalEventBridge => {
    if (!bridge) throw new Error('the local EventBridge did not start');
    return bridge;
  };

  /** An entry that is valid on the test bus, with a detail-type unique to the test. */
  const entry = (overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
    Source: 'espresso.config',
    DetailType: `ShopOpened-${randomUUID()}`,
    Detail: JSON.stringify({ shopId: 'demo', open: true }),
    EventBusName: BUS,
    ...overrides,
  });

  before(async () => {
    const port = await freePort();
    bridge = await startLocalEventBridge({
      port,
      region: REGION,
      accountId: ACCOUNT,
      buses: [BUS],
    });
    client = new EventBridgeClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  after(async () => {
    client?.destroy();
    await bridge?.stop();
  });

  it('listens on 127.0.0.1 at the port it was given', () => {
    expect(local().endpoint).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe('an accepted entry', () => {
    const sent = entry({
      Resources: ['arn:aws:states:us-east-1:000000000000:execution:orders:o-1'],
      Time: new Date('2026-03-04T05:06:07Z'),
    });
    let eventId: string | undefined;
    let errorCode: string | undefined;
    const heard: BusEvent[] = [];

    before(async () => {
      const unsubscribe = local().subscribe((event) => heard.push(event));
      const output = await client.send(new PutEventsCommand({ Entries: [sent] }));
      unsubscribe();
      expect(output.FailedEntryCount).to.equal(0);
      eventId = output.Entries?.[0]?.EventId;
      errorCode = output.Entries?.[0]?.ErrorCode;
    });

    it('gets an EventId and no error code', () => {
      expect(eventId).to.be.a('string').and.not.equal('');
      expect(errorCode).to.equal(undefined);
    });

    it('is kept in events() as EventBridge would deliver it to a target', () => {
      const event = local()
        .events()
        .find((e) => e.id === eventId);
      expect(event).to.deep.equal({
        version: '0',
        id: eventId,
        'detail-type': sent.DetailType,
        source: 'espresso.config',
        account: ACCOUNT,
        time: '2026-03-04T05:06:07Z',
        region: REGION,
        resources: ['arn:aws:states:us-east-1:000000000000:execution:orders:o-1'],
        detail: { shopId: 'demo', open: true },
        eventBusName: BUS,
      });
    });

    it('is served by GET /_local/events filtered by detail-type', async () => {
      const url = `${local().endpoint}/_local/events?detail-type=${encodeURIComponent(String(sent.DetailType))}`;
      const response = await fetch(url);
      expect(response.status).to.equal(200);
      const { events } = LocalEventsSchema.parse(await response.json());
      expect(events.map((e) => e.id)).to.deep.equal([eventId]);
      expect(events[0]?.detail).to.deep.equal({ shopId: 'demo', open: true });
    });

    it('reaches the subscribed listeners once', () => {
      expect(heard.map((e) => e.id)).to.deep.equal([eventId]);
    });
  });

  it('lists every kept event when GET /_local/events has no filter', async () => {
    const output = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    const response = await fetch(`${local().endpoint}/_local/events`);
    const { events } = LocalEventsSchema.parse(await response.json());
    expect(events.map((e) => e.id)).to.include(output.Entries?.[0]?.EventId);
    expect(events).to.have.length(local().events().length);
  });

  it('stamps an event without Time with the current time, to the second', async () => {
    const startedAt = Math.floor(Date.now() / 1000) * 1000;
    const output = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    const event = local()
      .events()
      .find((e) => e.id === output.Entries?.[0]?.EventId);
    expect(event?.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(String(event?.time))).to.be.within(startedAt, Date.now());
    expect(event?.resources).to.deep.equal([]);
  });

  it('stops calling a listener once it unsubscribes', async () => {
    const heard: string[] = [];
    const unsubscribe = local().subscribe((event) => heard.push(event['detail-type']));
    const first = entry();
    await client.send(new PutEventsCommand({ Entries: [first] }));
    unsubscribe();
    await client.send(new PutEventsCommand({ Entries: [entry()] }));
    expect(heard).to.deep.equal([first.DetailType]);
  });

  it('accepts the event once even when a subscriber throws', async () => {
    const calls: string[] = [];
    const unsubscribe = local().subscribe((event) => {
      calls.push(event.id);
      throw new Error('target failed');
    });
    const before = local().events().length;
    const output = await client.send(new PutEventsCommand({ Entries: [entry()] }));
    unsubscribe();
    expect(output.FailedEntryCount).to.equal(0);
    expect(calls).to.deep.equal([output.Entries?.[0]?.EventId]);
    expect(local().events().length).to.equal(before + 1);
  });

  it('accepts the bus given as its ARN and records it by name', async () => {
    const output = await client.send(
      new PutEventsCommand({ Entries: [entry({ EventBusName: BUS_ARN })] }),
    );
    expect(output.FailedEntryCount).to.equal(0);
    const event = local()
      .events()
      .find((e) => e.id === output.Entries?.[0]?.EventId);
    expect(event?.eventBusName).to.equal(BUS);
  });

  it('keeps the order of a batch of ten entries', async () => {
    const entries = Array.from({ length: 10 }, () => entry());
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    expect(output.FailedEntryCount).to.equal(0);
    const ids = output.Entries?.map((e) => e.EventId) ?? [];
    expect(ids).to.have.length(10);
    expect(
      local()
        .events()
        .slice(-10)
        .map((e) => e.id),
    ).to.deep.equal(ids);
    expect(
      local()
        .events()
        .slice(-10)
        .map((e) => e['detail-type']),
    ).to.deep.equal(entries.map((e) => e.DetailType));
  });

  describe('rejects a bad entry with an entry error, not a request error', () => {
    [
      {
        name: 'missing Source',
        entry: { Source: undefined },
        code: 'InvalidArgument',
        field: 'Source',
      },
      { name: 'empty Source', entry: { Source: '' }, code: 'InvalidArgument', field: 'Source' },
      {
        name: 'missing DetailType',
        entry: { DetailType: undefined },
        code: 'InvalidArgument',
        field: 'DetailType',
      },
      {
        name: 'missing Detail',
        entry: { Detail: undefined },
        code: 'InvalidArgument',
        field: 'Detail',
      },
      { name: 'Detail that is not JSON', entry: { Detail: '{"shopId":' }, code: 'MalformedDetail' },
      { name: 'Detail that is a JSON array', entry: { Detail: '[1,2]' }, code: 'MalformedDetail' },
      {
        name: 'Detail that is a JSON string',
        entry: { Detail: '"open"' },
        code: 'MalformedDetail',
      },
      { name: 'Detail that is a JSON number', entry: { Detail: '42' }, code: 'MalformedDetail' },
      { name: 'Detail that is JSON null', entry: { Detail: 'null' }, code: 'MalformedDetail' },
      {
        name: 'an unknown bus',
        entry: { EventBusName: 'espresso-nope-bus' },
        code: 'NotFoundException',
        field: 'espresso-nope-bus',
      },
      {
        name: 'the ARN of an unknown bus',
        entry: { EventBusName: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/espresso-nope-bus` },
        code: 'NotFoundException',
        field: 'espresso-nope-bus',
      },
    ].forEach((c) => {
      it(`${c.code} for ${c.name}`, async () => {
        const bad = entry(c.entry);
        const output = await client.send(new PutEventsCommand({ Entries: [bad] }));
        expect(output.FailedEntryCount).to.equal(1);
        const [result] = output.Entries ?? [];
        expect(result?.ErrorCode).to.equal(c.code);
        expect(result?.EventId).to.equal(undefined);
        if (c.field) expect(result?.ErrorMessage).to.include(c.field);
        expect(
          local()
            .events()
            .map((e) => e['detail-type']),
        ).not.to.include(bad.DetailType);
      });
    });
  });

  it('counts only the failed entries of a mixed batch and keeps the good ones in order', async () => {
    const good1 = entry();
    const good2 = entry({ EventBusName: BUS_ARN });
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          good1,
          entry({ Source: undefined }),
          entry({ Detail: 'not json' }),
          good2,
          entry({ EventBusName: 'espresso-nope-bus' }),
        ],
      }),
    );
    expect(output.FailedEntryCount).to.equal(3);
    expect(output.Entries?.map((e) => e.ErrorCode ?? 'ok')).to.deep.equal([
      'ok',
      'InvalidArgument',
      'MalformedDetail',
      'ok',
      'NotFoundException',
    ]);
    const ids = [output.Entries?.[0]?.EventId, output.Entries?.[3]?.EventId];
    expect(
      local()
        .events()
        .slice(-2)
        .map((e) => e.id),
    ).to.deep.equal(ids);
    expect(
      local()
        .events()
        .slice(-2)
        .map((e) => e['detail-type']),
    ).to.deep.equal([good1.DetailType, good2.DetailType]);
  });

  describe('rejects the whole request when the batch size is out of bounds', () => {
    [
      { name: 'no entries', count: 0 },
      { name: 'eleven entries', count: 11 },
    ].forEach((c) => {
      it(`throws a ValidationException for ${c.name} and keeps none`, async () => {
        const entries = Array.from({ length: c.count }, () => entry());
        const kept = local().events().length;
        const error = await rejectionOf(client.send(new PutEventsCommand({ Entries: entries })));
        expect(error.name).to.equal('ValidationException');
        expect(error.message).to.match(/length between 1 and 10/);
        expect(local().events()).to.have.length(kept);
      });
    });
  });

  it('answers ListEventBuses with the default bus and the configured buses, with their ARNs', async () => {
    const output = await client.send(new ListEventBusesCommand({}));
    expect(output.EventBuses).to.deep.equal([
      { Name: 'default', Arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` },
      { Name: BUS, Arn: BUS_ARN },
    ]);
  });

  it('answers an unsupported operation with UnknownOperationException', async () => {
    const error = await rejectionOf(client.send(new ListRulesCommand({ EventBusName: BUS })));
    expect(error.name).to.equal('UnknownOperationException');
    expect(error.message).to.include('AWSEvents.ListRules is not supported locally');
    expect(error.$metadata).to.have.property('httpStatusCode', 400);
  });

  it('answers a body that is not JSON with a SerializationException', async () => {
    const response = await fetch(local().endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
      },
      body: '{"Entries": [',
    });
    expect(response.status).to.equal(400);
    expect(response.headers.get('x-amzn-errortype')).to.equal('SerializationException');
  });

  it('rejects a request over 256 KB with a ValidationException', async () => {
    const huge = entry({ Detail: JSON.stringify({ blob: 'x'.repeat(300 * 1024) }) });
    const kept = local().events().length;
    const error = await rejectionOf(client.send(new PutEventsCommand({ Entries: [huge] })));
    expect(error.name).to.equal('ValidationException');
    expect(error.$metadata).to.have.property('httpStatusCode', 413);
    expect(local().events()).to.have.length(kept);
  });
});
