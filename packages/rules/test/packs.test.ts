import { loadRuleSet, runExamples, type CompiledRule, type LoadResult, type RuleDiagnostic } from '@trailscan/engine'
import { beforeAll, describe, expect, it } from 'vitest'
import { rulesDir, shippedPackDir, shippedPackIds } from '../src/index.js'

let loaded: LoadResult
let compiled: CompiledRule[]
let diagnostics: RuleDiagnostic[]

beforeAll(async () => {
  // From the YAML, not the snapshot: these tests hold the files themselves.
  const set = await loadRuleSet(shippedPackIds().map((id) => shippedPackDir(id)!))
  loaded = set.load
  compiled = set.rules
  diagnostics = set.diagnostics
})

describe('shipped rule packs', () => {
  it('load without a single diagnostic', () => {
    expect(diagnostics).toEqual([])
    expect(compiled.length).toBe(loaded.rules.length)
    expect(loaded.rules.length).toBeGreaterThan(0)
  })

  it('are pure data: each rule survives a JSON round trip unchanged', () => {
    for (const { spec } of loaded.rules) expect(JSON.parse(JSON.stringify(spec))).toEqual(spec)
  })

  it('name every rule file after its id', () => {
    for (const { spec } of loaded.rules) expect(spec.file?.endsWith(`/${spec.id}.yaml`)).toBe(true)
  })

  it('live under the rules directory, one pack per folder with a pack.yaml', () => {
    expect(loaded.packs.map((p) => p.id).sort()).toEqual(shippedPackIds())
    for (const { spec } of loaded.rules) expect(spec.file?.startsWith(rulesDir)).toBe(true)
  })
})

describe('every rule fires on its match examples and stays quiet on its noMatch examples', () => {
  it.each(shippedPackIds())('pack %s', (pack) => {
    const rules = compiled.filter((r) => r.spec.pack === pack)
    expect(rules.length).toBeGreaterThan(0)
    const failures: string[] = []
    for (const rule of rules) {
      const r = runExamples(rule)
      failures.push(...r.missed.map((i) => `${rule.id} missed examples.match[${i}]`))
      failures.push(...r.falseHits.map((i) => `${rule.id} fired on examples.noMatch[${i}]`))
    }
    expect(failures).toEqual([])
  })
})
