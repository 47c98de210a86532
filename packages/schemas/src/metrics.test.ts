import { expect } from 'chai';
import { describe, it } from 'mocha';
import { describeZodError } from './errors';
import { daysBetween, MetricsQuerySchema } from './metrics';

describe('metrics', () => {
  describe('MetricsQuerySchema', () => {
    [
      { name: 'one day', input: { from: '2026-11-25', to: '2026-11-25' } },
      { name: 'a leap day', input: { from: '2028-02-29', to: '2028-02-29' } },
      { name: '31 days, both included', input: { from: '2026-11-01', to: '2026-12-01' } },
    ].forEach((c) => {
      it(`accepts ${c.name}`, () => {
        expect(MetricsQuerySchema.parse(c.input)).to.deep.equal(c.input);
      });
    });

    [
      { name: 'a missing from', input: { to: '2026-11-25' }, field: 'from' },
      {
        name: 'a date with a time',
        input: { from: '2026-11-25T10', to: '2026-11-25' },
        field: 'from',
      },
      {
        name: 'a day that does not exist',
        input: { from: '2026-02-30', to: '2026-03-01' },
        field: 'from',
      },
      { name: 'a bad to', input: { from: '2026-11-25', to: '25/11/2026' }, field: 'to' },
      { name: 'to before from', input: { from: '2026-11-25', to: '2026-11-24' }, field: 'to' },
      { name: '32 days', input: { from: '2026-11-01', to: '2026-12-02' }, field: 'to' },
    ].forEach((c) => {
      it(`rejects ${c.name}, naming ${c.field}`, () => {
        const parsed = MetricsQuerySchema.safeParse(c.input);
        expect(parsed.success).to.equal(false);
        if (!parsed.success) expect(describeZodError(parsed.error).field).to.equal(c.field);
      });
    });
  });

  it('counts days with both ends included', () => {
    expect(daysBetween('2026-11-25', '2026-11-25')).to.equal(1);
    expect(daysBetween('2026-10-25', '2026-10-26')).to.equal(2);
    expect(daysBetween('2026-12-31', '2027-01-01')).to.equal(2);
  });
});
