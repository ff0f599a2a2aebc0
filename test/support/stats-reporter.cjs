// Mocha reporter: the spec reporter's output, plus the run's counts appended as one JSON line to the file named by
// $KFVS_TEST_STATS, so scripts/test.mjs can print one total for every suite it ran.
const fs = require('node:fs');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const suite = (options.reporterOption && options.reporterOption.suite) || process.env.KFVS_TEST_SUITE || 'mocha';
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.KFVS_TEST_STATS;
      if (!file) return;
      const s = runner.stats;
      fs.appendFileSync(file, JSON.stringify({ suite, passed: s.passes, failed: s.failures, skipped: s.pending }) + '\n');
    });
  }
}
module.exports = StatsReporter;
