import { expect } from 'chai';
import { body, completedDetail } from '../testing/events';
import { fakeMetricsTable } from '../testing/fakes';
import { countEndings } from './countEndings';

const at = (hour: string, day = '2026-11-25') => `${day}T${hour}:15:00.000Z`;
const completed = (orderId: string, hour = '10', shopId = 'cafe', day?: string) =>
  body('OrderManager.OrderCompleted', completedDetail(shopId, orderId, at(hour, day)));
const statuses = (outcomes: Awaited<ReturnType<typeof countEndings>>) =>
  Object.fromEntries([...outcomes].map(([id, o]) => [id, o.status]));

describe('countEndings', () => {
  it('counts a batch of one shop-day, across its hours, in one read and one write', async () => {
    const fake = fakeMetricsTable();
    const outcomes = await countEndings(fake.table, [
      { id: 'm1', body: completed('o1', '09') },
      { id: 'm2', body: completed('o2', '10') },
      { id: 'm3', body: completed('o3', '10') },
    ]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'applied', m2: 'applied', m3: 'applied' });
    expect(fake.calls).to.deep.equal({ reads: 1, writes: 1, conflicts: 0 });
    const [day] = await fake.table.readDays('cafe', '2026-11-25', '2026-11-25');
    expect(day?.counters['09|o|COMPLETED']).to.equal(1);
    expect(day?.counters['10|o|COMPLETED']).to.equal(2);
  });

  it('writes once per shop and day in the batch', async () => {
    const fake = fakeMetricsTable();
    await countEndings(fake.table, [
      { id: 'm1', body: completed('o1', '10', 'cafe') },
      { id: 'm2', body: completed('o2', '10', 'bar') },
      { id: 'm3', body: completed('o3', '10', 'cafe', '2026-11-26') },
    ]);
    expect(fake.calls.writes).to.equal(3);
  });

  it('counts a message delivered twice in one batch once', async () => {
    const fake = fakeMetricsTable();
    const outcomes = await countEndings(fake.table, [
      { id: 'm1', body: completed('o1') },
      { id: 'm2', body: completed('o1') },
    ]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'applied', m2: 'duplicate' });
    const [day] = await fake.table.readDays('cafe', '2026-11-25', '2026-11-25');
    expect(day?.counters['10|o|COMPLETED']).to.equal(1);
  });

  it('skips endings an earlier batch counted, without writing when nothing is new', async () => {
    const fake = fakeMetricsTable();
    await countEndings(fake.table, [{ id: 'm1', body: completed('o1') }]);
    const outcomes = await countEndings(fake.table, [{ id: 'm2', body: completed('o1') }]);
    expect(statuses(outcomes)).to.deep.equal({ m2: 'duplicate' });
    expect(fake.calls.writes).to.equal(1);
  });

  it('re-applies the rest when another consumer counted one of them meanwhile', async () => {
    const fake = fakeMetricsTable();
    let raced = false;
    fake.onBeforeApply(async () => {
      if (raced) return;
      raced = true;
      // Another consumer counts o2 between this one's read and its write.
      fake.onBeforeApply(undefined);
      await countEndings(fake.table, [{ id: 'other', body: completed('o2') }]);
    });
    const outcomes = await countEndings(fake.table, [
      { id: 'm1', body: completed('o1') },
      { id: 'm2', body: completed('o2') },
    ]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'applied', m2: 'duplicate' });
    expect(fake.calls.conflicts).to.equal(1);
    const [day] = await fake.table.readDays('cafe', '2026-11-25', '2026-11-25');
    expect(day?.counters['10|o|COMPLETED']).to.equal(2);
  });

  it('fails only the poison message', async () => {
    const fake = fakeMetricsTable();
    const outcomes = await countEndings(fake.table, [
      { id: 'm1', body: completed('o1') },
      { id: 'poison', body: '{"not":"an event"}' },
    ]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'applied', poison: 'failed' });
  });

  it('fails the messages of a shop-day it could not write, and only those', async () => {
    const fake = fakeMetricsTable();
    fake.failWrites((shopId) => shopId === 'bar');
    const outcomes = await countEndings(fake.table, [
      { id: 'm1', body: completed('o1', '10', 'cafe') },
      { id: 'm2', body: completed('o2', '10', 'bar') },
    ]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'applied', m2: 'failed' });
  });

  it('gives up after repeated lost races, failing the group so SQS retries it', async () => {
    const fake = fakeMetricsTable();
    // o1 is never there when read, always there when written.
    fake.onBeforeApply(() => {
      fake.items.set('cafe/2026-11-25', { counters: {}, applied: new Set(['o1']) });
    });
    const table = { ...fake.table, appliedKeys: async () => new Set<string>() };
    const outcomes = await countEndings(table, [{ id: 'm1', body: completed('o1') }]);
    expect(statuses(outcomes)).to.deep.equal({ m1: 'failed' });
  });
});
