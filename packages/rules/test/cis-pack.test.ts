import { readFileSync } from 'node:fs'
import { loadRules } from '@trailscan/engine'
import { describe, expect, it } from 'vitest'
import { shippedPackDir } from '../src/index.js'

// The CIS AWS Foundations Benchmark v3.0.0 section 4 metric filter texts (facts from the benchmark, as AWS
// also publishes them), kept here so a rule file can never drift from the benchmark's wording.
const cis = JSON.parse(readFileSync(new URL('./cis-v3.0.0-patterns.json', import.meta.url), 'utf8')) as Record<string, string>

describe('cis-aws-foundations pack', async () => {
  const { rules } = await loadRules([shippedPackDir('cis-aws-foundations')!])
  const byId = new Map(rules.map((r) => [r.spec.id, r.spec]))

  it('holds controls 4.1 to 4.15 and the SSO-aware variant of 4.2', () => {
    const ids = [...Array.from({ length: 15 }, (_, i) => `cis-4.${i + 1}`), 'cis-4.2-sso'].sort()
    expect([...byId.keys()].sort()).toEqual(ids)
  })

  it.each(Object.keys(cis))('%s stores the CIS pattern text verbatim', (id) => {
    expect(byId.get(id)?.pattern).toBe(cis[id])
  })

  it('puts the CIS alarm on every control: Sum >= 1 over one 300 s period', () => {
    for (const spec of byId.values()) expect(spec.alarm).toEqual({ statistic: 'Sum', threshold: 1, periodSeconds: 300, evaluationPeriods: 1 })
  })

  it('cites the control id in every benchmark version it exists in, including v3.0.0', () => {
    for (const spec of byId.values()) {
      const control = spec.id.replace(/^cis-/, '').replace(/-sso$/, '')
      expect(spec.references?.cis?.['v3.0.0']).toBe(control)
      expect(Object.keys(spec.references?.cis ?? {}).length).toBeGreaterThan(1)
    }
  })
})
