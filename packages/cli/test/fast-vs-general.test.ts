import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { listLocalObjects, scan, type CompiledRule } from '@trailscan/engine'
import { beforeAll, describe, expect, it } from 'vitest'
import { compiledRulesOrExit } from '../src/load-rules.js'
import { generalPathHits, type Hit } from './general-path.js'

// Correctness guard for the fast path (anchor splitting, eventName index, literal prefilter, parse only
// candidates): on every fixture it must find exactly what the brute-force path finds.
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
// `malformed` is left out on purpose: there the fast path keeps the records before a gzip fault, which a
// whole-file read cannot; its expected-findings and expected-errors files pin that behaviour instead.
const datasets = readdirSync(fixtures, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'malformed')
  .map((e) => e.name)
  .sort()

let rules: CompiledRule[]
beforeAll(async () => {
  rules = (await compiledRulesOrExit(undefined)).rules
})

async function fastPathHits(dir: string): Promise<Hit[]> {
  const out = new Map<string, Hit>()
  await scan({
    objects: listLocalObjects([dir]),
    rules,
    onFinding: (f) => out.set(`${f.ruleId} ${f.eventId}`, { ruleId: f.ruleId, eventId: String(f.eventId), severity: f.severity }),
  })
  return [...out.values()].sort((a, b) => (`${a.ruleId} ${a.eventId}` < `${b.ruleId} ${b.eventId}` ? -1 : 1))
}

describe('the fast path finds exactly what the general path finds', () => {
  it.each(datasets)('%s', async (name) => {
    const dir = join(fixtures, name)
    const general = generalPathHits(dir, rules)
    const fast = await fastPathHits(dir)
    expect(fast).toEqual(general)
    if (name !== 'benign') expect(fast.length).toBeGreaterThan(0)
  })
})
