'use strict';

/**
 * Under `serverless offline`, an environment variable whose value is a CloudFormation intrinsic
 * (`!Ref OrderManagerStateMachine`, `!GetAtt Queue.Arn`) would reach the handler as an object.
 * The local stack resolves every function's environment from the packaged template to local
 * names and ARNs and passes it as JSON in `ESPRESSO_LOCAL_ENVIRONMENT`
 * (`{ "<function name>": { "VAR": "value" } }`); this plugin puts those values in place of the
 * unresolved ones before offline starts. Deployed stacks are untouched.
 */
class LocalEnvironment {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:offline:start': () => this.apply(),
      'before:offline:start:init': () => this.apply(),
    };
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
