import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { compileRule, loadRuleSet, recordContext, type MatchContext } from '@trailscan/engine'
import { describe, expect, it } from 'vitest'
import { shippedPackDir } from '../src/index.js'
import { stringifyAnyDepth } from '../../engine/test/support/stringify-any-depth.js'

// The CIS AWS Foundations Benchmark v3.0.0 section 4 metric filter texts (facts from the benchmark, as AWS
// also publishes them), kept here so a rule file can never drift from the benchmark's wording.
const cis = JSON.parse(readFileSync(new URL('./cis-v3.0.0-patterns.json', import.meta.url), 'utf8')) as Record<string, string>

describe('cis-aws-foundations pack', async () => {
  const { rules } = (await loadRuleSet([shippedPackDir('cis-aws-foundations')!])).load
  const byId = new Map(rules.map((r) => [r.spec.id, r.spec]))

  it('holds controls 4.1 to 4.15 and the SSO-aware variant of 4.2', () => {
    const ids = [...Array.from({ length: 15 }, (_, i) => `cis-4.${i + 1}`), 'cis-4.2-sso'].sort()
    expect([...byId.keys()].sort()).toEqual(ids)
  })

  it.each(Object.keys(cis))('%s stores the CIS pattern text verbatim', (id) => {
    expect(byId.get(id)?.pattern).toBe(cis[id])
  })

  it('puts the CIS alarm on every control: Sum >= 1 over one 300 s period', () => {
    for (const spec of byId.values())
      expect(spec.alarm).toEqual({ statistic: 'Sum', threshold: 1, periodSeconds: 300, evaluationPeriods: 1 })
  })

  it('cites the control id in every benchmark version it exists in, including v3.0.0', () => {
    for (const spec of byId.values()) {
      const control = spec.id.replace(/^cis-/, '').replace(/-sso$/, '')
      expect(spec.references?.cis?.['v3.0.0']).toBe(control)
      expect(Object.keys(spec.references?.cis ?? {}).length).toBeGreaterThan(1)
    }
  })
})

/**
 * The CWL `*` default (aws-2019, AWS's observed answers) and `--wildcard glob` differ only when a later piece occurs
 * earlier in the value than where a glob would place it. The CIS patterns hold only `AccessDenied*` and
 * `*UnauthorizedOperation`; this checks that no CIS pattern answers differently on any record the project has.
 */
describe('CIS patterns under both CWL wildcard algorithms', async () => {
  const { rules } = (await loadRuleSet([shippedPackDir('cis-aws-foundations')!])).load
  const records: Record<string, unknown>[] = rules.flatMap((r) => [...r.spec.examples.match, ...r.spec.examples.noMatch])
  const root = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
  for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (!/\.json(\.gz)?$/.test(file)) continue
    const raw = readFileSync(join(root, file))
    let doc: { Records?: unknown }
    try {
      doc = JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { Records?: unknown }
    } catch {
      continue // fixtures/malformed: broken on purpose
    }
    if (Array.isArray(doc.Records)) records.push(...(doc.Records as Record<string, unknown>[]))
  }
  const context = (record: Record<string, unknown>): MatchContext => recordContext(record, stringifyAnyDepth(record))

  it('agree on every example and fixture record, and the wildcard rules do fire on some', () => {
    expect(records.length).toBeGreaterThan(100)
    const differ: string[] = []
    const fired = new Map<string, number>()
    for (const { spec } of rules) {
      const aws = compileRule(spec, { wildcard: 'aws-2019' })
      const glob = compileRule(spec, { wildcard: 'glob' })
      for (const r of records) {
        const a = aws.match(context(r)) !== null
        if (a !== (glob.match(context(r)) !== null)) differ.push(`${spec.id} on ${String(r.eventID)}`)
        if (a) fired.set(spec.id, (fired.get(spec.id) ?? 0) + 1)
      }
    }
    expect(differ).toEqual([])
    const withStar = rules.filter((r) => typeof r.spec.pattern === 'string' && r.spec.pattern.includes('*')).map((r) => r.spec.id)
    expect(withStar.length).toBeGreaterThan(0)
    for (const id of withStar) expect(fired.get(id) ?? 0).toBeGreaterThan(0)
  })
})
