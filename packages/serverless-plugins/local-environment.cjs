'use strict';

/** `serverless offline` running the bundles `serverless package` built (ESPRESSO_PREBUILT). */
const runsPrebuiltOffline = (serverless) =>
  Boolean(process.env.ESPRESSO_PREBUILT) && serverless.processedInput?.commands?.[0] === 'offline';

/**
 * Under `serverless offline`, an environment variable whose value is a CloudFormation intrinsic
 * (`!Ref OrderManagerStateMachine`, `!GetAtt Queue.Arn`) would reach the handler as an object.
 * The local stack resolves every function's environment from the packaged template to local
 * names and ARNs and passes it as JSON in `ESPRESSO_LOCAL_ENVIRONMENT`
 * (`{ "<function name>": { "VAR": "value" } }`); this plugin puts those values in place of the
 * unresolved ones before offline starts. Deployed stacks are untouched.
 *
 * With `ESPRESSO_PREBUILT` (a folder, relative to the service) offline runs the function bundles
 * `serverless package` built, kept there by the local stack, instead of serverless-esbuild
 * bundling every function again (and watching the sources) at each start: its offline hooks are
 * left out and offline's `location` is that folder.
 *
 * Under prebuilt offline the framework's own check of serverless.yml against its JSON schema
 * is skipped too: `serverless package`, which built those bundles from the same file, has just
 * run it (the local stack packages before it starts offline, again whenever the service
 * changed). It was ≈ 30 % of an offline process's start-up CPU — 1.3 s of ≈ 4.5 s in a profile,
 * a stack of four services 11.2 against 7.6 CPU-s. `ESPRESSO_OFFLINE_VALIDATE_CONFIG=1` keeps it
 * (to compare). Every other command validates as before. The check also coerces types (ajv's
 * `coerceTypes: 'array'`); for these services that changed one value only, the JWT authorizer's
 * one-item `audience` list into its string, which offline reads either way.
 */
class LocalEnvironment {
  constructor(serverless) {
    this.serverless = serverless;
    if (runsPrebuiltOffline(serverless) && !process.env.ESPRESSO_OFFLINE_VALIDATE_CONFIG) {
      // The framework validates after every plugin is constructed (Service#validate in run()).
      serverless.configSchemaHandler.validateConfig = async () => undefined;
    }
    this.hooks = {
      initialize: () => this.usePrebuilt(),
      'before:offline:start': () => this.apply(),
      'before:offline:start:init': () => this.apply(),
    };
  }

  usePrebuilt() {
    const location = process.env.ESPRESSO_PREBUILT;
    if (!location || !runsPrebuiltOffline(this.serverless)) return;
    const hooks = this.serverless.pluginManager.hooks;
    for (const event of ['before:offline:start', 'before:offline:start:init']) {
      if (hooks[event]) {
        hooks[event] = hooks[event].filter((h) => h.pluginName !== 'EsbuildServerlessPlugin');
      }
    }
    const custom = this.serverless.service.custom ?? {};
    custom['serverless-offline'] = { ...custom['serverless-offline'], location };
    this.serverless.service.custom = custom;
  }

  apply() {
    const raw = process.env.ESPRESSO_LOCAL_ENVIRONMENT;
    if (!raw) return;
    const resolved = JSON.parse(raw);
    const service = this.serverless.service;
    const isResolved = (value) => typeof value === 'string' || typeof value === 'number';
    for (const key of service.getAllFunctions()) {
      const fn = service.getFunction(key);
      const values = resolved[fn.name] ?? {};
      const patch = (environment) => {
        if (!environment) return;
        for (const [name, value] of Object.entries(environment)) {
          if (!isResolved(value) && values[name] !== undefined) environment[name] = values[name];
        }
      };
      patch(fn.environment);
      // Provider-level variables are shared: give each function its own resolved copy.
      const provider = service.provider.environment ?? {};
      const unresolved = Object.entries(provider).filter(([, value]) => !isResolved(value));
      if (unresolved.length > 0) {
        fn.environment = { ...fn.environment };
        for (const [name] of unresolved) {
          if (fn.environment[name] === undefined && values[name] !== undefined) {
            fn.environment[name] = values[name];
          }
        }
      }
    }
  }
}

module.exports = LocalEnvironment;
