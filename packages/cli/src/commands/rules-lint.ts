import { runExamples } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { formatDiagnostic, loadAndCompile, resolveRuleSources } from '../load-rules.js'
import { renderTable } from '../output/table.js'

/** `rules check`: lint without running: schema, unknown fields, duplicate ids, examples, pattern syntax. */
export async function checkRules(paths: string[] | undefined): Promise<number> {
  const set = await loadAndCompile(await resolveRuleSources(paths))
  for (const d of set.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`)
  const errors = set.diagnostics.filter((d) => d.severity === 'error').length
  process.stdout.write(`${set.rules.length} rules compiled, ${errors} errors, ${set.diagnostics.length - errors} warnings\n`)
  return errors > 0 ? EXIT.usage : EXIT.ok
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
