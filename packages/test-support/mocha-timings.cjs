'use strict';
/**
 * Mocha's spec reporter, plus each test file's wall time: with ESPRESSO_TEST_TIMINGS set to a
 * file path, one JSON line `{ file, ms, tests, failures }` per test file is appended to it when
 * the run ends (the root `pnpm test` prints the slowest ten from those lines). Without the
 * variable it is exactly the spec reporter. Named by the root .mocharc.json, so every package's
 * `mocha` uses it.
 */
const { appendFileSync } = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_RUN_END } =
  Mocha.Runner.constants;

class SpecWithTimings extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.ESPRESSO_TEST_TIMINGS;
    if (!out) return;
    /** file → { ms, tests, failures, since } */
    const files = new Map();
    const entry = (file) => {
      let found = files.get(file);
      if (!found) {
        found = { ms: 0, tests: 0, failures: 0, since: undefined };
        files.set(file, found);
      }
      return found;
    };
    // A file's top-level suites are the root suite's children; their time is the file's.
    const isFileSuite = (suite) => suite.file && suite.parent?.root;
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (isFileSuite(suite)) entry(suite.file).since = performance.now();
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const found = isFileSuite(suite) && files.get(suite.file);
      if (found && found.since !== undefined) {
        found.ms += performance.now() - found.since;
        found.since = undefined;
      }
    });
    runner.on(EVENT_TEST_PASS, (test) => {
      if (test.file) entry(test.file).tests += 1;
    });
    runner.on(EVENT_TEST_FAIL, (test) => {
      if (test.file) {
        entry(test.file).tests += 1;
        entry(test.file).failures += 1;
      }
    });
    runner.once(EVENT_RUN_END, () => {
      const root = process.env.ESPRESSO_TEST_ROOT ?? process.cwd();
      const lines = [...files].map(([file, { ms, tests, failures }]) =>
        JSON.stringify({ file: path.relative(root, file), ms: Math.round(ms), tests, failures }),
      );
      if (lines.length > 0) appendFileSync(out, `${lines.join('\n')}\n`);
    });
  }
}

module.exports = SpecWithTimings;
