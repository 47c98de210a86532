'use strict';

/**
 * `pnpm deploy:rehearse` deploys every service through the framework's real deploy path to
 * moto_server, an AWS-API stand-in (serverless-localstack points the framework's AWS calls at
 * it). Moto's CloudFormation creates the resource types it models and skips the rest with a
 * warning, but answers HTTP 500 to DescribeStacks when an Output reads a skipped resource, and
 * the framework and compose read the outputs after every deploy. For the rehearsal's stage only,
 * this plugin replaces such an Output's value with a marker naming what it stands for
 * (`rehearsal-unmodelled:AWS::Cognito::UserPool:UserPool`), so the deploy goes on and the
 * services after it receive the marker as their compose param.
 *
 * Active only when ESPRESSO_REHEARSAL_STAGE is this run's stage; the types moto models come from
 * moto itself (ESPRESSO_REHEARSAL_MODELLED_TYPES, comma-separated), never from a list of ours.
 */
const MARKER = 'rehearsal-unmodelled';

/** Logical ids a value reads through Ref, Fn::GetAtt or the names inside Fn::Sub. */
const referencedIds = (value) => {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value === null || typeof value !== 'object') return [];
  const ids = [];
  if (typeof value.Ref === 'string') ids.push(value.Ref);
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') ids.push(getAtt[0]);
  if (typeof getAtt === 'string') ids.push(getAtt.split('.')[0]);
  const sub = value['Fn::Sub'];
  const subText = Array.isArray(sub) ? sub[0] : sub;
  if (typeof subText === 'string') {
    for (const [, name] of subText.matchAll(/\$\{([^!}][^}]*)\}/g)) ids.push(name.split('.')[0]);
  }
  return [...ids, ...Object.values(value).flatMap(referencedIds)];
};

/**
 * Replaces the value of every Output that reads a resource of a type outside `modelledTypes`;
 * returns what it replaced, `{ output, resource, type }`.
 */
const markUnmodelledOutputs = (template, modelledTypes) => {
  const resources = template.Resources ?? {};
  const replaced = [];
  for (const [name, output] of Object.entries(template.Outputs ?? {})) {
    const unmodelled = referencedIds(output.Value).find(
      (id) => resources[id] && !modelledTypes.has(resources[id].Type),
    );
    if (!unmodelled) continue;
    const type = resources[unmodelled].Type;
    output.Value = `${MARKER}:${type}:${unmodelled}`;
    replaced.push({ output: name, resource: unmodelled, type });
  }
  return replaced;
};

/**
 * serverless-step-functions names the variables of its `Fn::Sub` definitions by hashes, which
 * may start with a digit; CloudFormation accepts them, but moto substitutes only names that
 * start with a letter (Python's string.Template) and then fails on the rest as unknown Refs.
 * Renames such variables to `v<name>` — the same template for CloudFormation. Returns the count.
 */
const renameDigitSubVariables = (value) => {
  if (Array.isArray(value)) return value.reduce((n, item) => n + renameDigitSubVariables(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let renamed = 0;
  const sub = value['Fn::Sub'];
  if (Array.isArray(sub) && typeof sub[0] === 'string' && sub[1] && typeof sub[1] === 'object') {
    for (const name of Object.keys(sub[1]).filter((key) => /^[0-9]/.test(key))) {
      sub[0] = sub[0].split(`\${${name}}`).join(`\${v${name}}`);
      sub[1][`v${name}`] = sub[1][name];
      delete sub[1][name];
      renamed += 1;
    }
  }
  return renamed + Object.values(value).reduce((n, item) => n + renameDigitSubVariables(item), 0);
};

class DeployRehearsal {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.apply(),
    };
  }

  apply() {
    const stage = this.options.stage ?? this.serverless.service.provider.stage;
    const rehearsalStage = process.env.ESPRESSO_REHEARSAL_STAGE;
    if (!rehearsalStage || stage !== rehearsalStage) return;
    const modelledTypes = new Set(
      (process.env.ESPRESSO_REHEARSAL_MODELLED_TYPES ?? '').split(',').filter(Boolean),
    );
    if (modelledTypes.size === 0) {
      throw new Error('ESPRESSO_REHEARSAL_MODELLED_TYPES is empty: run `pnpm deploy:rehearse`.');
    }
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    renameDigitSubVariables(template.Resources);
    for (const { output, type } of markUnmodelledOutputs(template, modelledTypes)) {
      this.serverless.cli.log(`deploy rehearsal: output ${output} reads an unmodelled ${type}`);
    }
  }
}

module.exports = DeployRehearsal;
module.exports.markUnmodelledOutputs = markUnmodelledOutputs;
module.exports.MARKER = MARKER;
module.exports.renameDigitSubVariables = renameDigitSubVariables;
