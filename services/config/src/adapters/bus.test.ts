import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  type ConfigChangedDetail,
  EVENT_DETAIL_SCHEMAS,
  type PublicShopConfig,
} from '@espresso/schemas';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { buildBus } from './bus';

const BUS = 'espresso-config-test-bus';
const AT = '2026-11-24T08:00:00.000Z';

const publicConfig = (open: boolean): PublicShopConfig => ({
  shopId: 'cafe',
  name: 'Corner Cafe',
  open,
  menu: [
    {
      drinkId: 'latte',
      name: 'Latte',
      icon: 'latte',
      available: true,
      modifiers: [{ name: 'Milk', options: ['Regular', 'Oat'] }],
    },
  ],
  limits: { maxOrdersPerCustomerPerDay: 3 },
  timeouts: { customerSeconds: 300 },
  updatedAt: AT,
});

const detail = (overrides: Partial<ConfigChangedDetail> = {}): ConfigChangedDetail => ({
  version: 1,
  shopId: 'cafe',
  at: AT,
  change: 'OPENED',
  open: true,
  configVersion: 5,
  config: publicConfig(true),
  ...overrides,
});

/** The error `promise` rejects with (fails the test if it resolves). */
const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection');
};

describe('bus adapter', () => {
  let eventBridge: AwsClientStub<EventBridgeClient>;
  const bus = buildBus(
    new EventBridgeClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    BUS,
  );

  // aws-sdk-client-mock 4 brings its own sinon (18): its matchers do not work on a stub of
  // the workspace's sinon (22), so it makes and restores its own stub instead of a sandbox's.
  beforeEach(() => {
    eventBridge = mockClient(EventBridgeClient);
  });

  afterEach(() => {
    eventBridge.restore();
  });

  it('puts one ConfigChanged entry from espresso.config on the bus, its detail as JSON', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });

    await bus.configChanged(detail());

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).to.have.length(1);
    const entries = calls[0]?.args[0].input.Entries ?? [];
    expect(entries).to.have.length(1);
    const [entry] = entries;
    expect(entry).to.include({
      Source: 'espresso.config',
      DetailType: 'ConfigService.ConfigChanged',
      EventBusName: BUS,
    });
    const sent: unknown = JSON.parse(entry?.Detail ?? '');
    expect(sent).to.deep.equal(detail());
    expect(EVENT_DETAIL_SCHEMAS['ConfigService.ConfigChanged'].parse(sent)).to.deep.equal(detail());
  });

  it('throws with the code and message of an entry EventBridge rejected', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again later' }],
    });

    const error = await rejectionOf(bus.configChanged(detail()));

    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.equal(
      'PutEvents rejected ConfigChanged: InternalFailure try again later',
    );
  });

  it('passes a failed PutEvents call on as it is', async () => {
    const failure = new Error('AccessDeniedException');
    eventBridge.on(PutEventsCommand).rejects(failure);

    expect(await rejectionOf(bus.configChanged(detail()))).to.equal(failure);
  });

  [
    {
      name: 'an open flag that contradicts the config',
      input: detail({ open: false, change: 'UPDATED' }),
    },
    {
      name: 'CLOSED for a shop that is open',
      input: detail({ change: 'CLOSED' }),
    },
    {
      name: 'a config of another shop',
      input: detail({ config: { ...publicConfig(true), shopId: 'other' } }),
    },
    {
      name: 'a field the contract does not name',
      input: { ...detail(), taskToken: 'secret' } as ConfigChangedDetail,
    },
  ].forEach((c) => {
    it(`refuses to emit ${c.name}, without calling EventBridge`, async () => {
      const error = await rejectionOf(bus.configChanged(c.input));

      expect(error).to.have.property('name', 'ZodError');
      expect(eventBridge.commandCalls(PutEventsCommand)).to.have.length(0);
    });
  });
});
