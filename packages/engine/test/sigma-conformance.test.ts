/**
 * The Sigma case table (test/cases/sigma-cases.json): cases written here from the Sigma specification's
 * detection, modifiers and conditions sections, each a detection, a CloudTrail-shaped event and the expected
 * result, or the construct a rule may not use (`refused`: unsupported, or not valid Sigma). Besides the result,
 * each matching case checks that the rule's field tests (the index's prefilter) pass on the event's raw fields.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { compileRule } from '../src/match/compile.js'
import { recordContext } from '../src/match/context.js'
import { compileSigmaPattern, SigmaError } from '../src/match/sigma/index.js'
import { fieldAt } from '../src/record.js'

interface MatchCase {
  id: string
  section: string
  detection: Record<string, unknown>
  event: Record<string, unknown>
  expected: boolean
  basis: string
}
interface RefusedCase {
  id: string
  detection: Record<string, unknown>
  refused: 'unsupported' | 'invalid'
  basis: string
}

const all = JSON.parse(readFileSync(new URL('./cases/sigma-cases.json', import.meta.url), 'utf8')) as (MatchCase | RefusedCase)[]
const cases = all.filter((c): c is MatchCase => 'expected' in c)
const refused = all.filter((c): c is RefusedCase => 'refused' in c)

describe('Sigma conformance', () => {
  test('the table covers detection, modifiers and conditions', () => {
    expect(new Set(all.map((c) => c.id)).size).toBe(all.length)
    for (const s of ['detection', 'modifiers', 'conditions']) expect(cases.filter((c) => c.section === s).length).toBeGreaterThan(15)
    expect(cases.filter((c) => c.expected).length).toBeGreaterThan(40)
    expect(cases.filter((c) => !c.expected).length).toBeGreaterThan(40)
  })

  test.for(cases)('$id: $basis', (c) => {
    const pattern = { logsource: { product: 'aws', service: 'cloudtrail' }, detection: c.detection }
    const compiled = compileSigmaPattern(pattern)
    expect(compiled.match(c.event)).toBe(c.expected)
    const rule = compileRule({ id: c.id, title: c.id, severity: 'low', language: 'sigma', pattern, examples: { match: [], noMatch: [] } })
    expect(rule.match(recordContext(c.event)) !== null).toBe(c.expected)
    if (c.expected)
      for (const t of compiled.fieldTests) {
        const v = fieldAt(c.event, t.field.split('.'))
        expect(typeof v === 'string' && t.test(v), `field test on ${t.field}`).toBe(true)
      }
  })

  test.for(refused)('$id: refused ($refused), $basis', (c) => {
    let err: unknown
    try {
      compileSigmaPattern({ detection: c.detection })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SigmaError)
    expect((err as SigmaError).unsupported).toBe(c.refused === 'unsupported')
    expect((err as SigmaError).anchor).toBeDefined()
  })
})
