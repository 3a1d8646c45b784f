import { runExamples } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { formatDiagnostic, loadAndCompile, resolveRuleSources } from '../load-rules.js'
import { renderTable } from '../output/table.js'

/**
 * `rules check`: lint without running: schema, unknown fields, duplicate ids, examples, pattern syntax. Skipped
 * rules are counted: those for another logsource never fail the check; an invalid Sigma rule always does, and one
 * using what Trailscan does not run does unless `allowUnsupported` (`--allow-unsupported`).
 */
export async function checkRules(paths: string[] | undefined, allowUnsupported = false): Promise<number> {
  const set = await loadAndCompile(await resolveRuleSources(paths))
  for (const d of set.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`)
  const errors = set.diagnostics.filter((d) => d.severity === 'error').length
  const skipped = { logsource: 0, unsupported: 0, invalid: 0 }
  for (const d of set.diagnostics) if (d.skipped) skipped[d.skipped]++
  const skippedTotal = skipped.logsource + skipped.unsupported + skipped.invalid
  const warnings = set.diagnostics.length - errors - skippedTotal
  const why = [
    skipped.logsource ? `${skipped.logsource} for another logsource` : '',
    skipped.unsupported ? `${skipped.unsupported} unsupported` : '',
    skipped.invalid ? `${skipped.invalid} not valid Sigma` : '',
  ].filter(Boolean)
  process.stdout.write(
    `${set.rules.length} rules compiled, ${errors} errors, ${warnings} warnings${skippedTotal ? `, ${skippedTotal} skipped (${why.join(', ')})` : ''}\n`,
  )
  return errors > 0 || skipped.invalid > 0 || (skipped.unsupported > 0 && !allowUnsupported) ? EXIT.usage : EXIT.ok
}

/** `rules test`: each rule's embedded match and no-match examples, as a pass/fail table. */
export async function testRules(paths: string[] | undefined): Promise<number> {
  const set = await loadAndCompile(await resolveRuleSources(paths))
  let failed = 0
  const rows = set.rules.map((rule) => {
    const r = runExamples(rule)
    const ok = r.missed.length === 0 && r.falseHits.length === 0
    if (!ok) failed++
    const notes = [...r.missed.map((i) => `missed match[${i}]`), ...r.falseHits.map((i) => `fired on noMatch[${i}]`)].join(', ')
    return [
      ok ? 'PASS' : 'FAIL',
      rule.id,
      `${rule.spec.examples.match.length - r.missed.length}/${rule.spec.examples.match.length}`,
      `${rule.spec.examples.noMatch.length - r.falseHits.length}/${rule.spec.examples.noMatch.length}`,
      notes,
    ]
  })
  process.stdout.write(renderTable(['RESULT', 'RULE', 'MATCH', 'NO MATCH', 'FAILURES'], rows, 70))
  for (const d of set.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`)
  process.stdout.write(`${set.rules.length - failed} rules passed, ${failed} failed\n`)
  if (set.diagnostics.some((d) => d.severity === 'error')) return EXIT.usage
  return failed > 0 ? EXIT.findings : EXIT.ok
}
