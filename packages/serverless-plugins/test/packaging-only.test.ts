import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const require = createRequire(import.meta.url);
type Schema = {
  topLevel?: Record<string, unknown>;
  functionProperties?: Record<string, unknown>;
};
type PluginClass = new (
  serverless: unknown,
  options: unknown,
  utils: unknown,
) => { hooks: Record<string, unknown>; constructor: { name: string } };
const { packagingOnly } = require('../packaging-only.cjs') as {
  packagingOnly: (name: string, schema?: Schema) => PluginClass;
};

const serviceDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'service');

/** The parts of the framework's `serverless` object the wrapper reads, recording schema calls. */
const fakeServerless = (commands: string[]) => {
  const defined: { topLevel: [string, unknown][]; functions: [string, unknown][] } = {
    topLevel: [],
    functions: [],
  };
  return {
    defined,
    serverless: {
      serviceDir,
      processedInput: { commands },
      service: { provider: { name: 'aws' } },
      configSchemaHandler: {
        defineTopLevelProperty: (name: string, schema: unknown) =>
          defined.topLevel.push([name, schema]),
        defineFunctionProperties: (provider: string, schema: unknown) =>
          defined.functions.push([provider, schema]),
      },
    },
  };
};

describe('packaging-only plugins (left unloaded under prebuilt serverless offline)', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of ['ESPRESSO_PREBUILT', 'ESPRESSO_OFFLINE_ALL_PLUGINS']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });
  const Wrapped = packagingOnly('./fake-build-plugin.cjs', {
    topLevel: { stepFunctions: { type: 'object' } },
    functionProperties: { skipEsbuild: { type: 'boolean' } },
  });

  it('becomes the real plugin for `serverless package`, with its hooks and class name', () => {
    process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
    const { serverless, defined } = fakeServerless(['package']);
    const plugin = new Wrapped(serverless, { stage: 'dev' }, {});
    expect(plugin.constructor.name).to.equal('FakeBuildPlugin');
    expect(plugin.hooks).to.have.key('before:package:createDeploymentArtifacts');
    expect(defined.topLevel).to.deep.equal([]);
  });

  it('becomes the real plugin under offline without prebuilt bundles (offline bundles itself)', () => {
    delete process.env.ESPRESSO_PREBUILT;
    const plugin = new Wrapped(fakeServerless(['offline', 'start']).serverless, {}, {});
    expect(plugin.constructor.name).to.equal('FakeBuildPlugin');
  });

  it('loads nothing under prebuilt offline, and declares the configuration the plugin would have', () => {
    process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
    const { serverless, defined } = fakeServerless(['offline', 'start']);
    const plugin = new Wrapped(serverless, {}, {});
    expect(plugin.constructor.name).to.equal('PackagingOnly');
    expect(plugin.hooks).to.deep.equal({});
    expect(defined.topLevel).to.deep.equal([['stepFunctions', { type: 'object' }]]);
    expect(defined.functions).to.deep.equal([
      ['aws', { properties: { skipEsbuild: { type: 'boolean' } } }],
    ]);
  });

  it('loads the real plugin under prebuilt offline when ESPRESSO_OFFLINE_ALL_PLUGINS asks', () => {
    process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
    process.env.ESPRESSO_OFFLINE_ALL_PLUGINS = '1';
    const plugin = new Wrapped(fakeServerless(['offline']).serverless, {}, {});
    expect(plugin.constructor.name).to.equal('FakeBuildPlugin');
  });

  it('wraps serverless-esbuild and serverless-step-functions for the services', () => {
    for (const file of ['../esbuild.cjs', '../step-functions.cjs']) {
      const Plugin = require(file) as PluginClass;
      process.env.ESPRESSO_PREBUILT = '.esbuild/.offline-local';
      const { serverless } = fakeServerless(['offline']);
      expect(new Plugin(serverless, {}, {}).hooks, file).to.deep.equal({});
    }
  });
});

describe("the services' plugin lists", () => {
  const servicesDir = path.join(serviceDir, '..', '..', '..', '..', '..', 'services');
  for (const service of ['config', 'orders', 'publisher', 'metrics']) {
    it(`${service}: the packaging-only esbuild comes with local-environment, which points offline at the prebuilt bundles`, () => {
      const yml = readFileSync(path.join(servicesDir, service, 'serverless.yml'), 'utf8');
      const plugins = (yml.match(/^plugins:\n((?: {2}- .*\n)+)/m)?.[1] ?? '')
        .split('\n')
        .map((line) =>
          line
            .replace(/^ {2}- /, '')
            .replaceAll('"', '')
            .trim(),
        )
        .filter(Boolean);
      expect(plugins).to.include('@espresso/serverless-plugins/esbuild');
      expect(plugins).to.include('@espresso/serverless-plugins/local-environment');
      expect(plugins).not.to.include('serverless-esbuild');
    });
  }
});
