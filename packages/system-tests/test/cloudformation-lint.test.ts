import {
  cfnLintTemplates,
  dependencyCycles,
  formatCycle,
  formatFinding,
  type PackagedTemplate,
  packageLocalStage,
  packageStage,
} from '@espresso/test-support';
import { expect } from 'chai';

/**
 * AWS's CloudFormation linter (cfn-lint, Python; `.ci/run` installs it, README prerequisites)
 * and a dependency-cycle check over what the stages `local` and `qa7` package — the stack
 * `pnpm start` and the tests run, and a stage a developer deploys (any but `prod` packages the
 * same resources under its own names). deploy-readiness.test.ts checks stage qa7's templates
 * further; within a `pnpm test` run both read one packaging (packageForTest's cache).
 * Only the rules `.cfnlintrc.yaml` ignores (each with why) may be reported; a failure names the
 * template, line, rule and resource. With cfn-lint missing the tests fail saying how to install.
 */
for (const stage of ['local', 'qa7'] as const) {
  describe(`CloudFormation of stage ${stage}: cfn-lint and dependency cycles`, function () {
    this.timeout(600_000);
    let packaged: PackagedTemplate[];

    before(async function () {
      this.timeout(600_000);
      // `local` reuses the local stack's packaging (cached in each service's .serverless);
      // `qa7` is packaged into temp folders, as `pnpm package --stage qa7` would build it.
      packaged = stage === 'local' ? await packageLocalStage() : await packageStage(stage);
    });

    it('packages every service', () => {
      expect(packaged.map((p) => p.service).sort()).to.deep.equal([
        'config',
        'metrics',
        'orders',
        'publisher',
      ]);
    });

    it("passes cfn-lint: no error, no warning beyond .cfnlintrc.yaml's", async function () {
      this.timeout(120_000);
      const findings = await cfnLintTemplates(
        packaged.map(({ service, text }) => ({
          label: `services/${service} (stage ${stage})`,
          text,
        })),
      );
      expect(findings.map(formatFinding)).to.deep.equal([]);
    });

    it('forms no dependency cycle among any template’s resources', () => {
      const cycles = packaged.flatMap(({ service, template }) =>
        dependencyCycles(template).map((cycle) => `${service}: ${formatCycle(cycle)}`),
      );
      expect(cycles).to.deep.equal([]);
    });
  });
}
