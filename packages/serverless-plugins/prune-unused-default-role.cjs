'use strict';

/**
 * serverless-iam-roles-per-function gives every function its own role but leaves the
 * framework's shared `IamRoleLambdaExecution` in the template, holding log rights for every
 * function. When no resource refers to it any more, this plugin removes it, so the stack has
 * exactly one role per function. List it after serverless-iam-roles-per-function.
 */
const DEFAULT_ROLE = 'IamRoleLambdaExecution';

const referencesRole = (value) => {
  if (Array.isArray(value)) return value.some(referencesRole);
  if (value === null || typeof value !== 'object') return false;
  if (value.Ref === DEFAULT_ROLE) return true;
  if ([value.DependsOn].flat().includes(DEFAULT_ROLE)) return true;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[0] === DEFAULT_ROLE) return true;
  if (typeof getAtt === 'string' && getAtt.split('.')[0] === DEFAULT_ROLE) return true;
  if (typeof value['Fn::Sub'] === 'string' && value['Fn::Sub'].includes(`\${${DEFAULT_ROLE}`)) {
    return true;
  }
  return Object.values(value).some(referencesRole);
};

const pruneUnusedDefaultRole = (template) => {
  const resources = template.Resources ?? {};
  if (!resources[DEFAULT_ROLE]) return false;
  const others = Object.entries(resources).filter(([id]) => id !== DEFAULT_ROLE);
  if (others.some(([, resource]) => referencesRole(resource))) return false;
  if (referencesRole(template.Outputs ?? {})) return false;
  delete resources[DEFAULT_ROLE];
  return true;
};

class PruneUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // serverless-iam-roles-per-function assigns the per-function roles in
      // `before:package:finalize`; the template is written in saveServiceState.
      'before:aws:package:finalize:saveServiceState': () => {
        pruneUnusedDefaultRole(this.serverless.service.provider.compiledCloudFormationTemplate);
      },
    };
  }
}

module.exports = PruneUnusedDefaultRole;
module.exports.pruneUnusedDefaultRole = pruneUnusedDefaultRole;
