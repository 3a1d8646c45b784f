import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { validateDataset, type CompiledRule, type DatasetReport } from '@trailscan/engine'
import { beforeAll, describe, expect, it } from 'vitest'
import { loadAccountContext } from '../src/account-context.js'
import { compiledRulesOrExit } from '../src/load-rules.js'

const fixturesDir = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
const datasets = readdirSync(fixturesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(fixturesDir, e.name, 'expected-findings.jsonl')))
  .map((e) => e.name)
  .sort()

let rules: CompiledRule[]
beforeAll(async () => {
  rules = (await compiledRulesOrExit(undefined)).rules
})

function mismatches(r: DatasetReport): string[] {
  const out: string[] = []
  for (const s of r.comparison.rules) {
    for (const id of s.falseNegatives) out.push(`missed ${s.ruleId} on ${id}`)
    for (const id of s.falsePositives) out.push(`unexpected ${s.ruleId} on ${id}`)
    for (const x of s.wrongSeverity) out.push(`severity of ${s.ruleId} on ${x}`)
  }
  for (const e of r.errors.missing)
    out.push(`expected read error not met: ${e.object}${e.recordIndex === undefined ? '' : ` record ${e.recordIndex}`}`)
  for (const e of r.errors.unexpected)
    out.push(`unexpected read error: ${e.object}${e.recordIndex === undefined ? '' : ` record ${e.recordIndex}`}`)
  return out
}

/** `ruleId eventId severity` of each finding, sorted, as the expectation files list them. */
function findingLines(r: DatasetReport): string[] {
  return r.findings.map((f) => `${f.ruleId} ${f.eventId} ${f.severity}`).sort()
}

function expectedLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { ruleId: string; eventId: string; severity: string })
    .map((e) => `${e.ruleId} ${e.eventId} ${e.severity}`)
    .sort()
}

describe('fixture datasets give exactly their expected findings', () => {
  it('has fixture datasets to check', () => {
    expect(datasets.length).toBeGreaterThan(0)
  })

  it.each(datasets)('%s', async (name) => {
    const report = await validateDataset({ dir: join(fixturesDir, name), rules })
    expect(mismatches(report)).toEqual([])
    // The comparison is by (rule, event) pair, so it cannot see a pair reported twice or a finding with no eventID:
    // the findings themselves, one line each, must be the expectation file's lines and nothing more.
    expect(findingLines(report)).toEqual(expectedLines(join(fixturesDir, name, 'expected-findings.jsonl')))
  })

  const withContext = datasets.filter((d) => existsSync(join(fixturesDir, d, 'expected-findings-context.jsonl')))
  it.each(withContext)('%s with its --context accounts file', async (name) => {
    const dir = join(fixturesDir, name)
    const context = await loadAccountContext(join(dir, 'accounts.yaml'))
    const report = await validateDataset({ dir, rules, context, expectations: join(dir, 'expected-findings-context.jsonl') })
    expect(mismatches(report)).toEqual([])
    expect(findingLines(report)).toEqual(expectedLines(join(dir, 'expected-findings-context.jsonl')))
  })
})
