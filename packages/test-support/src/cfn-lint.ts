import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '@espresso/local-cloud';

const run = promisify(execFile);

/** The version `.ci/run` installs and the README names. */
export const CFN_LINT_VERSION = '1.51.0';

/** The checked-in settings: the rules ignored, each with why it is safe. */
export const CFN_LINT_CONFIG = path.join(REPO_ROOT, '.cfnlintrc.yaml');

const INSTALL = `install AWS's CloudFormation linter: \`pip install cfn-lint==${CFN_LINT_VERSION}\` or \`pipx install cfn-lint==${CFN_LINT_VERSION}\` (README "Two commands")`;

export interface CfnLintFinding {
  /** What the caller called the template (e.g. `orders (stage dev)`). */
  template: string;
  rule: string;
  level: string;
  /** The resource (or output, parameter…) it is about: `Resources/<id>` → `<id>`. */
  where: string;
  line: number;
  message: string;
}

interface RawFinding {
  Filename: string | null;
  Level: string;
  Location: { Start: { LineNumber: number }; Path: (string | number)[] };
  Message: string;
  Rule: { Id: string };
}

/** `orders (stage dev):795 E3004 AwaitCustomerLambdaFunction — Circular Dependencies…` */
export const formatFinding = (f: CfnLintFinding) =>
  `${f.template}:${f.line} ${f.rule} (${f.level}) ${f.where} — ${f.message}`;

let version: Promise<string> | undefined;

/** The installed cfn-lint's version, or an error saying how to install it. */
export const cfnLintVersion = (): Promise<string> => {
  version ??= readVersion();
  return version;
};

const readVersion = async (): Promise<string> => {
  try {
    const { stdout } = await run('cfn-lint', ['--version']);
    return stdout.trim().replace(/^cfn-lint\s+/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `cfn-lint is not on PATH: ${INSTALL}`
        : `cfn-lint --version failed (${(error as Error).message}): ${INSTALL}`,
    );
  }
};

/**
 * Runs cfn-lint once over the given template files with the repository's `.cfnlintrc.yaml`
 * and returns every finding it reports (errors and warnings that the config does not ignore).
 * Throws, saying how to install it, when cfn-lint is missing.
 */
export const cfnLintFiles = async (
  files: { label: string; file: string }[],
): Promise<CfnLintFinding[]> => {
  await cfnLintVersion();
  const labels = new Map(files.map(({ label, file }) => [path.resolve(file), label]));
  let stdout: string;
  let stderr = '';
  try {
    ({ stdout, stderr } = await run(
      'cfn-lint',
      ['--config-file', CFN_LINT_CONFIG, '--format', 'json', '--', ...files.map((f) => f.file)],
      { cwd: REPO_ROOT, maxBuffer: 1 << 26 },
    ));
  } catch (error) {
    // cfn-lint exits non-zero when it finds something (2 errors, 4 warnings, 8 informational).
    const failed = error as { stdout?: string; stderr?: string; code?: number | string };
    if (typeof failed.stdout !== 'string' || failed.stdout.trim() === '') {
      throw new Error(`cfn-lint failed (exit ${failed.code}): ${failed.stderr ?? error}`);
    }
    stdout = failed.stdout;
    stderr = failed.stderr ?? '';
  }
  let raw: RawFinding[];
  try {
    raw = JSON.parse(stdout) as RawFinding[];
  } catch {
    throw new Error(`cfn-lint printed no JSON: ${stdout.slice(0, 2000)}\n${stderr}`);
  }
  return raw.map((finding) => {
    const pathOf = finding.Location.Path;
    const where =
      pathOf.length >= 2 ? `${pathOf[1]}` : pathOf.length === 1 ? `${pathOf[0]}` : '(template)';
    return {
      template:
        labels.get(path.resolve(REPO_ROOT, finding.Filename ?? '')) ?? String(finding.Filename),
      rule: finding.Rule.Id,
      level: finding.Level,
      where: pathOf[0] === 'Resources' || pathOf.length < 2 ? where : `${pathOf[0]}/${where}`,
      line: finding.Location.Start.LineNumber,
      message: finding.Message,
    };
  });
};

/**
 * Lints templates held in memory (the exact text `serverless package` wrote, so line numbers
 * are the packaged file's): each is written to a temp file, then one cfn-lint run checks all.
 */
export const cfnLintTemplates = async (
  templates: { label: string; text: string }[],
): Promise<CfnLintFinding[]> => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'espresso-cfn-lint-'));
  try {
    const files = await Promise.all(
      templates.map(async ({ label, text }, i) => {
        const file = path.join(dir, `${i}-${label.replace(/[^\w.-]+/g, '_')}.json`);
        await writeFile(file, text);
        return { label, file };
      }),
    );
    return await cfnLintFiles(files);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
