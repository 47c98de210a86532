import { createRequire } from 'node:module';
import { expect } from 'chai';

const require = createRequire(import.meta.url);
const LocalEnvironment = require('../local-environment.cjs') as new (
  serverless: unknown,
) => { hooks: Record<string, () => void> };

/** The parts of the framework's `serverless` object the plugin reads, counting validations. */
const fakeServerless = (commands: string[]) => {
  const validated: unknown[] = [];
  const serverless = {
    processedInput: { commands },
    service: { custom: {} as Record<string, unknown> },
    pluginManager: { hooks: {} },
    configSchemaHandler: {
      validateConfig: async (config: unknown) => {
        validated.push(config);
      },
    },
  };
  return { serverless, validated };
};

describe('local-environment: the framework’s schema check under prebuilt serverless offline', () => {
  const keys = ['ESPRESSO_PREBUILT', 'ESPRESSO_OFFLINE_VALIDATE_CONFIG'] as const;
  const saved = Object.fromEntries(keys.map((key) => [key, process.env[key]]));
  afterEach(() => {
    for (const key of keys) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  /** Constructs the plugin as the framework does, then validates as `Service#validate` does. */
  const validations = async (commands: string[]) => {
    const { serverless, validated } = fakeServerless(commands);
    new LocalEnvironment(serverless);
    await serverless.configSchemaHandler.validateConfig({ service: 'orders' });
    return { validated, serverless };
  };

  it('skips it for `serverless offline` on the bundles `serverless package` built', async () => {
    process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
    expect((await validations(['offline', 'start'])).validated).to.deep.equal([]);
  });

  [
    { name: '`serverless package`', prebuilt: '.esbuild/.offline-local', commands: ['package'] },
    { name: '`serverless deploy`', prebuilt: '.esbuild/.offline-local', commands: ['deploy'] },
    { name: 'offline that bundles for itself', prebuilt: undefined, commands: ['offline'] },
  ].forEach((c) => {
    it(`keeps it for ${c.name}`, async () => {
      if (c.prebuilt) process.env.ESPRESSO_PREBUILT = c.prebuilt;
      else delete process.env.ESPRESSO_PREBUILT;
      const { validated } = await validations(c.commands);
      expect(validated).to.deep.equal([{ service: 'orders' }]);
    });
  });

  it('keeps it under prebuilt offline when ESPRESSO_OFFLINE_VALIDATE_CONFIG is set', async () => {
    process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
    process.env.ESPRESSO_OFFLINE_VALIDATE_CONFIG = '1';
    expect((await validations(['offline'])).validated).to.deep.equal([{ service: 'orders' }]);
  });
});
