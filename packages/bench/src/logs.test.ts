import { expect } from 'chai';
import { createLogTally, emfMetrics } from './logs';

const emf = (shopId: string, outcome: string) =>
  JSON.stringify({
    _aws: {
      Timestamp: 1,
      CloudWatchMetrics: [
        {
          Namespace: 'ServerlessEspresso/dev',
          Dimensions: [['service', 'shopId', 'outcome']],
          Metrics: [{ Name: 'OrdersEnded', Unit: 'Count' }],
        },
      ],
    },
    service: 'metrics',
    shopId,
    outcome,
    OrdersEnded: 1,
  });

describe('log tally', () => {
  it('sizes handler JSON lines and EMF blobs apart, and ignores the local tools’ lines', () => {
    const tally = createLogTally();
    const line = JSON.stringify({ level: 'INFO', message: 'order placed', orderId: 'o-1' });
    tally.line(`[orders] ${line}`);
    tally.line(
      '[orders] (λ: createOrder) RequestId: 9f2c  Duration: 12.30 ms  Billed Duration: 13 ms',
    );
    tally.line('[orders] (λ: getOrder) RequestId: 9f2d  Duration: 0.40 ms  Billed Duration: 1 ms');
    tally.line('[sfn] OrderProcessor x SUCCEEDED in 12 ms, 5 transitions');
    tally.line(`[metrics] ${emf('s1', 'COMPLETED')}`);
    tally.line('[orders] {"not json');
    const counts = tally.snapshot();
    expect(counts.handlerLines).to.equal(1);
    expect(counts.handlerBytes).to.equal(Buffer.byteLength(line) + 1);
    expect(counts.emfLines).to.equal(1);
    expect(counts.emfBytes).to.equal(Buffer.byteLength(emf('s1', 'COMPLETED')) + 1);
    expect(counts).to.deep.include({ invocations: 2, billedMs: 13 + 1 });
    tally.reset();
    expect(tally.snapshot()).to.deep.include({ handlerBytes: 0, emfBytes: 0 });
  });

  it('counts each metric name + dimension values once, the shop dimension for one shop', () => {
    const tally = createLogTally();
    tally.line(emf('s1', 'COMPLETED'));
    tally.line(emf('s1', 'COMPLETED'));
    tally.line(emf('s1', 'CANCELLED'));
    tally.line(emf('s2', 'COMPLETED')); // another shop: the same metrics again, per shop
    tally.reset(); // resets bytes, not the metrics seen
    expect(tally.snapshot().metrics).to.deep.equal({ perShop: 2, perStage: 0 });
    const [metric] = emfMetrics(JSON.parse(emf('s1', 'TIMED_OUT')));
    expect(metric).to.deep.equal({
      key: 'ServerlessEspresso/dev|OrdersEnded|service=metrics,outcome=TIMED_OUT',
      shop: true,
    });
  });
});
