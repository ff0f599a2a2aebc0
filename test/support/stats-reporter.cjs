// Mocha reporter: the spec reporter's output, plus the run's counts and each failure's title and first error line
// appended as one JSON line to the file named by $KFVS_TEST_STATS, so scripts/test.mjs can print one total for every
// suite it ran and name what failed at the end of the log, where CI's excerpt shows it.
const fs = require('node:fs');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const suite = (options.reporterOption && options.reporterOption.suite) || process.env.KFVS_TEST_SUITE || 'mocha';
    const failures = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
      const message = String((err && err.message) || err).split('\n')[0].slice(0, 300);
      failures.push({ title: test.fullTitle(), file: test.file ? require('node:path').relative(process.cwd(), test.file) : undefined, message });
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.KFVS_TEST_STATS;
      if (!file) return;
      const s = runner.stats;
      fs.appendFileSync(file, JSON.stringify({ suite, passed: s.passes, failed: s.failures, skipped: s.pending, failures }) + '\n');
    });
  }
}
module.exports = StatsReporter;
