import { EVENT_DETAIL_SCHEMAS } from '@espresso/schemas';
import { expect } from 'chai';
import { describe, it } from 'mocha';
import { announceConfigChange } from './announceConfigChange';
import { RecordingBus, storedShop } from './fakePorts.test';

describe('announceConfigChange (the outbox publisher)', () => {
  [
    {
      name: 'announces a new item as CREATED',
      input: { before: undefined, after: storedShop('cafe') },
      expected: 'CREATED',
    },
    {
      name: 'takes the kind of change from the item’s lastChange',
      input: {
        before: storedShop('cafe', { open: true }),
        after: { ...storedShop('cafe', { open: true, version: 2 }), lastChange: 'OPENED' },
      },
      expected: 'OPENED',
    },
    {
      name: 'reads a flip of the open flag off the images when lastChange is missing',
      input: {
        before: storedShop('cafe', { open: true }),
        after: storedShop('cafe', { open: false, version: 2 }),
      },
      expected: 'CLOSED',
    },
    {
      name: 'reads any other change off the images as UPDATED',
      input: {
        before: storedShop('cafe'),
        after: storedShop('cafe', { name: 'New name', version: 2 }),
      },
      expected: 'UPDATED',
    },
  ].forEach((c) => {
    it(c.name, async () => {
      const bus = new RecordingBus();

      await announceConfigChange({ bus }, c.input.before, c.input.after);

      const [detail] = bus.parsedDetails();
      expect(detail?.change).to.equal(c.expected);
      expect(EVENT_DETAIL_SCHEMAS['ConfigService.ConfigChanged'].parse(detail)).to.include({
        shopId: 'cafe',
        configVersion: (c.input.after as { version: number }).version,
      });
    });
  });

  it('refuses (so the stream retries, then reports) an image that is not a shop config', async () => {
    const bus = new RecordingBus();

    const error = await announceConfigChange({ bus }, undefined, { shopId: 'cafe' }).catch(
      (e: unknown) => e,
    );

    expect(error).to.have.property('name', 'ZodError');
    expect(bus.details).to.deep.equal([]);
  });
});
