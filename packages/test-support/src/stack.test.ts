import { expect } from 'chai';
import sinon from 'sinon';
import { sharedStackOf, type TestStack } from './stack';

/** A stand-in stack: only its identity and its `stop` matter here. */
const fakeStack = (name: string, stopped: string[]) =>
  ({
    stage: name,
    async stop() {
      stopped.push(name);
    },
  }) as unknown as TestStack;

describe('sharedStackOf: one stack for the test files that take it in turn', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it('starts once for files that follow each other within the grace, and stops once after the last', async () => {
    const stopped: string[] = [];
    const start = sinon.stub().callsFake(async () => fakeStack('one', stopped));
    const shared = sharedStackOf(start, 1000);

    const first = await shared();
    await first.stop();
    await clock.tickAsync(999);
    const second = await shared();
    expect(second.stage).to.equal('one');
    await clock.tickAsync(5000);
    expect(stopped, 'still in use by the second file').to.deep.equal([]);
    await second.stop();
    await clock.tickAsync(999);
    expect(stopped).to.deep.equal([]);
    await clock.tickAsync(1);
    expect(stopped).to.deep.equal(['one']);
    expect(start.callCount).to.equal(1);
  });

  it('keeps the stack while any of several users holds it; a second stop by one user is no release', async () => {
    const stopped: string[] = [];
    const shared = sharedStackOf(async () => fakeStack('one', stopped), 100);
    const [a, b] = await Promise.all([shared(), shared()]);
    await a.stop();
    await a.stop();
    await clock.tickAsync(1000);
    expect(stopped).to.deep.equal([]);
    await b.stop();
    await clock.tickAsync(100);
    expect(stopped).to.deep.equal(['one']);
  });

  it('starts a new stack for a file that comes after the last one stopped', async () => {
    const stopped: string[] = [];
    let n = 0;
    const shared = sharedStackOf(async () => fakeStack(`stack ${++n}`, stopped), 100);
    await (await shared()).stop();
    await clock.tickAsync(100);
    const later = await shared();
    expect(later.stage).to.equal('stack 2');
    expect(stopped).to.deep.equal(['stack 1']);
  });

  it('does not keep a failed start: the next file tries again', async () => {
    const stopped: string[] = [];
    const start = sinon
      .stub()
      .onFirstCall()
      .rejects(new Error('port taken'))
      .onSecondCall()
      .callsFake(async () => fakeStack('retried', stopped));
    const shared = sharedStackOf(start, 100);
    let failure: unknown;
    await shared().catch((error: unknown) => {
      failure = error;
    });
    expect(String(failure)).to.include('port taken');
    expect((await shared()).stage).to.equal('retried');
    expect(start.callCount).to.equal(2);
  });
});
