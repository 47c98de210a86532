'use strict';
/**
 * Mocha's spec reporter, plus each test file's wall time: with ESPRESSO_TEST_TIMINGS set to a
 * file path, one JSON line `{ file, ms, cpuMs, tests, failures }` per test file is appended to
 * it when the run ends (the root `pnpm test` prints the slowest ten from those lines). `cpuMs`
 * is the CPU time the whole machine spent while the file ran (busy time in /proc/stat, every
 * process: the test's own, its local stack's, anything else running), so on a quiet machine it
 * is what the file costs; it is left out where /proc/stat does not exist. Without the variable
 * this is exactly the spec reporter. Named by the root .mocharc.json, so every package's
 * `mocha` uses it.
 */
const { appendFileSync, readFileSync } = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

/** The machine's busy CPU time so far in ms (all cores, user + system), or undefined off Linux. */
const machineBusyMs = () => {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
    // cpu user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
    const ticks = cpu.slice(1, 9).map(Number);
    const busy = ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4];
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
};

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_RUN_END } =
  Mocha.Runner.constants;

class SpecWithTimings extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.ESPRESSO_TEST_TIMINGS;
    if (!out) return;
    /** file → { ms, cpuMs, tests, failures, since, cpuSince } */
    const files = new Map();
    const entry = (file) => {
      let found = files.get(file);
      if (!found) {
        found = { ms: 0, cpuMs: 0, tests: 0, failures: 0, since: undefined, cpuSince: undefined };
        files.set(file, found);
      }
      return found;
    };
    // A file's top-level suites are the root suite's children; their time is the file's.
    const isFileSuite = (suite) => suite.file && suite.parent?.root;
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!isFileSuite(suite)) return;
      const found = entry(suite.file);
      found.since = performance.now();
      found.cpuSince = machineBusyMs();
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      const found = isFileSuite(suite) && files.get(suite.file);
      if (found && found.since !== undefined) {
        found.ms += performance.now() - found.since;
        const busy = machineBusyMs();
        found.cpuMs =
          busy === undefined || found.cpuSince === undefined || found.cpuMs === undefined
            ? undefined
            : found.cpuMs + busy - found.cpuSince;
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
      const lines = [...files].map(([file, { ms, cpuMs, tests, failures }]) =>
        JSON.stringify({
          file: path.relative(root, file),
          ms: Math.round(ms),
          ...(cpuMs === undefined ? {} : { cpuMs: Math.round(cpuMs) }),
          tests,
          failures,
        }),
      );
      if (lines.length > 0) appendFileSync(out, `${lines.join('\n')}\n`);
    });
  }
}

module.exports = SpecWithTimings;
// Also read by the root `pnpm test` (scripts/test.mjs) for the whole run's CPU.
module.exports.machineBusyMs = machineBusyMs;
