import { expect } from 'chai';
import * as z from 'zod';
import { envReader } from './env';

describe('envReader', () => {
  const NAME = 'ESPRESSO_ENV_READER_TEST';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('parses the environment once and keeps what it read', () => {
    process.env[NAME] = 'first';
    const env = envReader(z.object({ [NAME]: z.string().min(1) }));

    expect(env()[NAME]).to.equal('first');
    process.env[NAME] = 'second';
    expect(env()[NAME]).to.equal('first');
  });

  it('fails loudly on a missing setting', () => {
    const env = envReader(z.object({ [NAME]: z.string().min(1) }));

    expect(() => env()).to.throw(NAME);
  });
});
