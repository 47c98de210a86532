import { expect } from 'chai';
import { launchProcess, OUTPUT_KEPT, untilOutput } from './child-process';

describe('launchProcess', () => {
  it('keeps the end of what a long-running process prints, not all of it', async () => {
    // 4 × OUTPUT_KEPT characters in lines, then a last line: the head is dropped, the end kept.
    const script = `
      const line = 'x'.repeat(1023) + '\\n';
      for (let i = 0; i < ${4 * (OUTPUT_KEPT / 1024)}; i++) process.stdout.write(line);
      process.stdout.write('the last line\\n');
      setInterval(() => {}, 1000);
    `;
    let printed = 0;
    const running = launchProcess({
      name: 'a chatty process',
      command: process.execPath,
      args: ['-e', script],
      cwd: process.cwd(),
      onOutput: (text) => {
        printed += text.length;
      },
    });
    try {
      await untilOutput(running, (output) => output.includes('the last line'), {
        ms: 10_000,
        message: 'no last line',
      });
      expect(printed).to.be.greaterThan(4 * OUTPUT_KEPT);
      const kept = running.output();
      expect(kept.length).to.be.within(OUTPUT_KEPT, 2 * OUTPUT_KEPT);
      expect(kept.endsWith('the last line\n')).to.equal(true);
    } finally {
      await running.stop();
    }
  });
});
