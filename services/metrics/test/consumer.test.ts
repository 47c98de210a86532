import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import {
  batchReports,
  completed,
  dlqMessages,
  envelope,
  getMetrics,
  type MetricsStack,
  metricsStack,
  newShopId,
  putEvents,
  sendToQueue,
  until,
} from './helpers';

describe('counting order endings (local stack)', function () {
  this.timeout(60_000);
  let m: MetricsStack;

  before(async function () {
    this.timeout(240_000);
    m = await metricsStack();
  });

  it('turns a completed order from the bus into counters of its day and hour', async () => {
    const shopId = newShopId();
    const detail = completed(shopId, '2026-11-25T14:05:00.000Z');
    await putEvents(m, [{ type: 'OrderManager.OrderCompleted', detail }]);

    const report = await until('the completed order counted', async () => {
      const r = await getMetrics(m, shopId, '2026-11-25');
      return r.totals.orders === 1 ? r : undefined;
    });
    expect(report.days).to.have.length(1);
    expect(report.days[0]?.byOutcome).to.deep.equal({
      COMPLETED: 1,
      CANCELLED: 0,
      TIMED_OUT: 0,
      REJECTED: 0,
    });
    expect(report.hours.map((h) => h.hour)).to.deep.equal(['2026-11-25T14']);
    expect(report.drinks).to.deep.equal([{ drinkId: 'latte', count: 1 }]);
    expect(report.modifiers).to.deep.equal([{ group: 'Milk', option: 'Oat', count: 1 }]);
    expect(report.baristas).to.deep.equal([
      { baristaId: 'barista-1', completed: 1, make: { seconds: 60, count: 1 } },
    ]);
    expect(report.averages).to.deep.equal({ waitSeconds: 180, makeSeconds: 60 });
  });

  it('counts cancelled, timed-out and rejected orders under their outcome', async () => {
    const shopId = newShopId();
    const at = '2026-11-25T09:30:00.000Z';
    const base = { version: 1 as const, shopId, customerId: 'c', at };
    await putEvents(m, [
      {
        type: 'OrderManager.OrderCancelled',
        detail: {
          ...base,
          orderId: 'o-cancelled',
          reason: 'CANCELLED_BY_CUSTOMER',
          cancelledBy: 'c',
          previousStatus: 'QUEUED',
        },
      },
      {
        type: 'OrderProcessor.OrderTimedOut',
        detail: { ...base, orderId: 'o-timed-out', stage: 'CUSTOMER' },
      },
      {
        type: 'OrderProcessor.ShopUnavailable',
        detail: { ...base, orderId: 'o-rejected', reason: 'CLOSED' },
      },
      // Repeats the cancel's facts: not counted again.
      {
        type: 'OrderProcessor.OrderFinished',
        detail: { ...base, orderId: 'o-cancelled', outcome: 'CANCELLED' },
      },
    ]);
    const report = await until('three endings counted', async () => {
      const r = await getMetrics(m, shopId, '2026-11-25');
      return r.totals.orders === 3 ? r : undefined;
    });
    expect(report.totals.byOutcome).to.deep.equal({
      COMPLETED: 0,
      CANCELLED: 1,
      TIMED_OUT: 1,
      REJECTED: 1,
    });
    expect(report.averages).to.deep.equal({ waitSeconds: null, makeSeconds: null });
  });

  it('counts an event delivered twice, or put again by its producer, once', async () => {
    const shopId = newShopId();
    const detail = completed(shopId, '2026-11-25T10:00:00.000Z');
    const event = envelope('OrderManager.OrderCompleted', detail);
    const body = JSON.stringify(event);
    // SQS delivers the same message again; then the producer retries with a new event id.
    await sendToQueue(m, [body]);
    await until('the first copy counted', async () =>
      (await getMetrics(m, shopId, '2026-11-25')).totals.orders === 1 ? true : undefined,
    );
    await sendToQueue(m, [body, JSON.stringify({ ...event, id: 'a-new-event-id' })]);
    await putEvents(m, [{ type: 'OrderManager.OrderCompleted', detail }]);
    await m.stack.idle();

    const report = await getMetrics(m, shopId, '2026-11-25');
    expect(report.totals.orders).to.equal(1);
    expect(report.totals.byOutcome.COMPLETED).to.equal(1);
  });

  it('applies the nine good messages of a batch and dead-letters the poison one after 3 receives', async function () {
    this.timeout(60_000);
    // The queue's visibility timeout is 6x the consumer's (36 s locally): shortened here so
    // the three receives take seconds (still longer than the 1 s batching window, so a failed
    // message does not come back into the batch being gathered). The redrive policy (3 receives) is the template's.
    await m.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: m.queueUrl,
        Attributes: { VisibilityTimeout: '3' },
      }),
    );
    try {
      const shopId = newShopId();
      const good = Array.from({ length: 9 }, (_, i) =>
        JSON.stringify(
          envelope(
            'OrderManager.OrderCompleted',
            completed(shopId, `2026-11-25T1${i}:00:00.000Z`, { drinkId: 'espresso' }),
          ),
        ),
      );
      const poisonDetail = {
        ...completed(shopId, '2026-11-25T12:00:00.000Z'),
        drinkId: 'NOT A SLUG',
      };
      const poison = JSON.stringify({
        ...envelope('OrderManager.OrderCompleted', poisonDetail),
        id: 'poison',
      });
      const before = batchReports(m).length;
      await sendToQueue(m, [...good.slice(0, 4), poison, ...good.slice(4)]);

      const report = await until('the nine good ones counted', async () => {
        const r = await getMetrics(m, shopId, '2026-11-25');
        return r.totals.orders === 9 ? r : undefined;
      });
      expect(report.drinks).to.deep.equal([{ drinkId: 'espresso', count: 9 }]);
      // The consumer's log line reaches the test through offline's output, a moment later — so
      // a late line of the previous test's batches (none of which fail) can come after `before`:
      // this batch's report is the first with a failure.
      const first = await until('the batch report', () =>
        batchReports(m)
          .slice(before)
          .find((r) => r.failed > 0),
      );
      expect(first, JSON.stringify(batchReports(m).slice(before))).to.include({
        messages: 10,
        applied: 9,
        failed: 1,
      });

      const dead = await until(
        'the poison message in the DLQ',
        async () => {
          const messages = await dlqMessages(m);
          return messages.find((msg) => msg.Body === poison);
        },
        30_000,
      );
      expect(dead.Body).to.equal(poison);
      const failures = () =>
        batchReports(m)
          .slice(before)
          .reduce((n, r) => n + r.failed, 0);
      await until('three failed receives reported', () => (failures() >= 3 ? true : undefined));
      expect(failures(), 'receives of the poison message that failed').to.equal(3);
      expect((await getMetrics(m, shopId, '2026-11-25')).totals.orders).to.equal(9);
    } finally {
      await m.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: m.queueUrl,
          Attributes: { VisibilityTimeout: '36' },
        }),
      );
    }
  });
});
