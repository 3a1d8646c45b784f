import type { Reporter, TestModule } from 'vitest/node'

/**
 * Ends the run with the plain line CI reads in any language, "N passed, N failed", next to vitest's own
 * summary, so a run that executed no test can never look like a green one.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
      if (m.state() === 'failed' && m.children.size === 0) failed++ // a file that could not even load
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  }
}
