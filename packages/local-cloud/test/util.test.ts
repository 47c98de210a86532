import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { expect } from 'chai';
import { freePort, portShare } from '../src/util';

describe('freePort', () => {
  it('never hands out a port twice, and each one can be listened on', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 50; i++) ports.push(await freePort());
    expect(new Set(ports).size).to.equal(ports.length);
    const port = ports[0] as number;
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  });

  it('stays below the kernel’s ephemeral range, where outgoing connections take ports', async () => {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).to.be.at.least(10_000).and.below(low);
    }
  });

  it('draws from its share of the range (ESPRESSO_PORT_SHARE i/n): the shares of n lanes do not overlap', async () => {
    expect(portShare(32_768, '')).to.deep.equal({ from: 10_000, to: 32_768 });
    const shares = [1, 2, 3].map((i) => portShare(32_768, `${i}/3`));
    expect(shares).to.deep.equal([
      { from: 10_000, to: 17_589 },
      { from: 17_589, to: 25_178 },
      { from: 25_178, to: 32_767 },
    ]);
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) {
      expect(() => portShare(32_768, bad), bad).to.throw(/ESPRESSO_PORT_SHARE must be i\/n/);
    }
    const before = process.env.ESPRESSO_PORT_SHARE;
    process.env.ESPRESSO_PORT_SHARE = '2/2';
    try {
      const low = Number(
        readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
      );
      const { from, to } = portShare(low);
      for (let i = 0; i < 20; i++)
        expect(await freePort())
          .to.be.at.least(from)
          .and.below(to);
    } finally {
      if (before === undefined) delete process.env.ESPRESSO_PORT_SHARE;
      else process.env.ESPRESSO_PORT_SHARE = before;
    }
  });
});
