'use strict';

/**
 * Plugins that only build: under `serverless offline` running the bundles `serverless package`
 * built (`ESPRESSO_PREBUILT`, see ./local-environment.cjs) they have no work to do, yet loading
 * them is a large part of an offline process's start-up — serverless-esbuild's dependencies
 * alone (effect, archiver, esbuild) were 31 % of the orders offline's start-up CPU in a profile.
 * `packagingOnly(name, schema)` is a plugin that loads `name` from the service's folder and
 * becomes it for every other command; under prebuilt offline it only declares the
 * configuration the real plugin would have declared (so the config stays valid) and does nothing.
 * `ESPRESSO_OFFLINE_ALL_PLUGINS=1` loads them anyway (to compare start-up times).
 */
const runsPrebuiltOffline = (serverless) =>
  Boolean(process.env.ESPRESSO_PREBUILT) &&
  !process.env.ESPRESSO_OFFLINE_ALL_PLUGINS &&
  serverless.processedInput?.commands?.[0] === 'offline';

const packagingOnly = (name, schema = {}) =>
  class PackagingOnly {
    constructor(serverless, options, utils) {
      if (!runsPrebuiltOffline(serverless)) {
        const serviceDir = serverless.serviceDir ?? serverless.config?.serviceDir ?? process.cwd();
        const Plugin = require(require.resolve(name, { paths: [serviceDir] }));
        // Becoming the real plugin keeps its hooks, commands and class name (which hook
        // filters such as local-environment's look for).
        // biome-ignore lint/correctness/noConstructorReturn: this wrapper stands in for the plugin.
        return new Plugin(serverless, options, utils);
      }
      const handler = serverless.configSchemaHandler;
      for (const [property, propertySchema] of Object.entries(schema.topLevel ?? {})) {
        handler.defineTopLevelProperty(property, propertySchema);
      }
      if (schema.functionProperties) {
        handler.defineFunctionProperties(serverless.service.provider.name, {
          properties: schema.functionProperties,
        });
      }
      this.hooks = {};
    }
  };

module.exports = { packagingOnly, runsPrebuiltOffline };
