import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileRule, listLocalObjects, scan, type CompiledRule, type RuleSpec } from '@trailscan/engine'
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

async function fastPathHits(dir: string, rules: readonly CompiledRule[]): Promise<Hit[]> {
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
    const fast = await fastPathHits(dir, rules)
    expect(fast).toEqual(general)
    if (name !== 'benign') expect(fast.length).toBeGreaterThan(0)
  })
})

/**
 * Rules that exercise the parts of the fast path the shipped packs leave idle: raw tests (an IP block on
 * sourceIPAddress, with and without a service), quoted CWL literals without an eventName (more than the byte
 * search takes, so the regex path runs too), and a named group whose literals its key implies.
 */
const extra: RuleSpec[] = [
  eb('x-block-any', { detail: { sourceIPAddress: [{ cidr: '203.0.113.0/26' }] } }),
  eb('x-block-s3', { source: ['aws.s3'], detail: { sourceIPAddress: [{ cidr: '198.51.100.0/26' }, { cidr: '192.0.2.0/28' }] } }),
  eb('x-block-or', { detail: { $or: [{ sourceIPAddress: [{ cidr: '192.0.2.64/26' }] }, { sourceIPAddress: [{ cidr: '198.51.100.32/28' }] }] } }),
  eb('x-named-block', { detail: { eventName: ['PutBucketAcl', 'ConsoleLogin'], sourceIPAddress: [{ cidr: '198.51.100.0/24' }] } }),
  ...['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser', 'SAMLUser', 'WebIdentityUser', 'Unknown', 'AWSAccount'].map((t) =>
    cwl(`x-type-${t}`, `{ $.userIdentity.type = "${t}" }`),
  ),
  cwl('x-denied', '{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" }'),
  cwl('x-named-implied', '{ $.eventName = "PutBucketAcl" && $.eventSource = "s3.amazonaws.com" }'),
]

function eb(id: string, pattern: Record<string, unknown>): RuleSpec {
  return { id, title: id, severity: 'low', language: 'eventbridge', pattern, examples: { match: [], noMatch: [] } }
}

function cwl(id: string, pattern: string): RuleSpec {
  return { id, title: id, severity: 'low', language: 'cwl-filter', pattern, examples: { match: [], noMatch: [] } }
}

describe('the same with rules that use raw tests, many literals and implied literals', () => {
  it.each(datasets)('%s', async (name) => {
    const all = [...rules, ...extra.map(compileRule)]
    expect(all.some((r) => r.rawTest)).toBe(true)
    const dir = join(fixtures, name)
    const general = generalPathHits(dir, all)
    const fast = await fastPathHits(dir, all)
    expect(fast).toEqual(general)
    if (name !== 'benign') expect(fast.some((h) => h.ruleId.startsWith('x-block'))).toBe(true)
  })
})
