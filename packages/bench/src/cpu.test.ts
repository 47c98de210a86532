import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { componentOf, cpuPerOrder, parseStat, sampleCpu } from './cpu';

describe('CPU by component (/proc)', () => {
  it('names the stack’s processes by what they run', () => {
    expect(componentOf('node bench.js', '/x', true)).to.match(/^bench process/);
    expect(
      componentOf(
        'java -Xmx512m -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar',
        '/x',
        false,
      ),
    ).to.equal('DynamoDB Local (Java)');
    expect(
      componentOf(
        'node /repo/services/orders/node_modules/.bin/../osls/bin/serverless.js offline start --stage local',
        '/repo/services/orders',
        false,
      ),
    ).to.equal('serverless offline: orders');
    expect(
      componentOf('/repo/node_modules/@esbuild/linux-x64/bin/esbuild --service', '/', false),
    ).to.equal('esbuild');
    expect(componentOf('sleep 5', '/', false)).to.equal('other');
  });

  it('reads utime + stime after the command, whatever the command’s name holds', () => {
    const fields = ['S', '41', ...Array.from({ length: 9 }, () => '0'), '250', '50', '0'];
    expect(parseStat(`1234 (node (worker) x) ${fields.join(' ')}`)).to.deep.equal({
      pid: 1234,
      ppid: 41,
      cpuMs: 3000,
    });
    expect(parseStat('garbage')).to.equal(undefined);
  });

  it('counts this process and a busy child it started, and divides the difference by the orders', async function () {
    this.timeout(20_000);
    const before = await sampleCpu();
    const child = spawn(process.execPath, ['-e', 'const t=Date.now();while(Date.now()-t<3000){}'], {
      stdio: 'ignore',
    });
    // Sampled while the child still runs (a process that ended is no longer in /proc).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const during = await sampleCpu();
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    const total = cpuPerOrder(before, during, 1);
    const perOrder = cpuPerOrder(before, during, 4);
    // A busy second: some CPU whatever else the machine runs (/proc counts in 10 ms ticks).
    expect(total.other ?? 0, JSON.stringify(total)).to.be.greaterThan(0);
    expect(perOrder.other).to.equal((total.other ?? 0) / 4);
    expect(Object.keys(during)).to.include('bench process (local cloud, meter proxies, clients)');
  });
});
