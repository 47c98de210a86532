process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { expect } from 'chai';
import { hopsReport, runHopsOnly } from './hops';

describe('bench --only hops', () => {
  it('makes every call through the real local bus and queue, and prints a row per hop and concurrency', async () => {
    const result = await runHopsOnly(24);
    expect(result.hops.map((h) => [h.hop.split(' ')[0], h.concurrency])).to.deep.equal([
      ['PutEvents', 1],
      ['PutEvents', 4],
      ['SendMessage', 1],
      ['SendMessage', 4],
    ]);
    for (const h of result.hops) {
      // Each measured call reached its endpoint: the bus accepted the event, the queue holds it.
      expect(h.accepted, h.hop).to.equal(24);
      expect(h.cpuMsPerCall, h.hop).to.be.greaterThan(0);
    }
    const printed = hopsReport(result);
    expect(
      printed.split('\n').filter((line) => /^(PutEvents|SendMessage)/.test(line)),
    ).to.have.length(4);
  });
});
