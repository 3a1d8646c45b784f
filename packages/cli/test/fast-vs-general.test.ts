import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { compileRule, listLocalObjects, loadRuleSet, scan, type CompiledRule, type RuleSpec } from '@trailscan/engine'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { anchorCases, concatCases, layouts } from '../../engine/test/support/crafted-layouts.mjs'
import { compiledRulesOrExit } from '../src/load-rules.js'
import { generalPathHits, readableLogFiles, type Hit } from './general-path.js'

// Correctness guard for the fast path (anchor splitting, eventName index, literal prefilter, parse only
// candidates): on every fixture it must find exactly what the brute-force path finds.
const fixtures = fileURLToPath(new URL('../../../fixtures/', import.meta.url))
// `malformed` is left out on purpose: there the fast path keeps the records before a gzip fault, which a
// whole-file read cannot; its expected-findings and expected-errors files pin that behaviour instead. In `hostile`
// the two paths are compared on the files a JSON parser reads whole (concatenated documents, nested anchors,
// escaped spellings, a 5,000-deep policy, a starred Action, terminal escapes); its broken files are pinned by its
// expected-*.jsonl files, since the reference cannot say what survives around a torn record.
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
    objects: listLocalObjects(dir.endsWith('hostile') ? readableLogFiles(dir) : [dir]),
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
 * Rules that exercise the parts of the fast path the shipped packs leave idle: field tests (IP blocks on
 * sourceIPAddress, with and without a service; userIdentity.type and errorCode values; EventBridge sources,
 * `anything-but` and `exists: false`), quoted CWL literals without an eventName or a raw field (more than the
 * byte search takes, so the regex path runs too), and a named group whose literals its key implies.
 */
const extra: RuleSpec[] = [
  eb('x-block-any', { detail: { sourceIPAddress: [{ cidr: '203.0.113.0/26' }] } }),
  eb('x-block-s3', { source: ['aws.s3'], detail: { sourceIPAddress: [{ cidr: '198.51.100.0/26' }, { cidr: '192.0.2.0/28' }] } }),
  eb('x-block-or', {
    detail: { $or: [{ sourceIPAddress: [{ cidr: '192.0.2.64/26' }] }, { sourceIPAddress: [{ cidr: '198.51.100.32/28' }] }] },
  }),
  eb('x-named-block', { detail: { eventName: ['PutBucketAcl', 'ConsoleLogin'], sourceIPAddress: [{ cidr: '198.51.100.0/24' }] } }),
  ...['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser', 'SAMLUser', 'WebIdentityUser', 'Unknown', 'AWSAccount'].map((t) =>
    cwl(`x-type-${t}`, `{ $.userIdentity.type = "${t}" }`),
  ),
  cwl('x-denied', '{ $.errorCode = "AccessDenied*" || $.errorCode = "*UnauthorizedOperation" }'),
  cwl('x-named-implied', '{ $.eventName = "PutBucketAcl" && $.eventSource = "s3.amazonaws.com" }'),
  cwl('x-not-service', '{ $.userIdentity.type != "AWSService" && $.errorCode = "*" }'),
  eb('x-source-iam', { source: ['aws.iam'] }),
  eb('x-source-s3-denied', { source: ['aws.s3', 'aws.signin'], detail: { errorCode: [{ prefix: 'Access' }, { suffix: 'Failure' }] } }),
  eb('x-root-no-error', { detail: { errorCode: [{ exists: false }], userIdentity: { type: ['Root'] } } }),
  eb('x-not-iam-user', { detail: { userIdentity: { type: [{ 'anything-but': ['IAMUser', 'AssumedRole'] }] } } }),
  eb('x-prefix-names', { detail: { eventName: [{ prefix: 'Put' }], sourceIPAddress: [{ 'anything-but': { prefix: '10.' } }] } }),
  ...['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'].map((r) => cwl(`x-region-${r}`, `{ $.awsRegion = "${r}" }`)),
  ...['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleAction', 'AwsConsoleSignIn'].map((t) =>
    cwl(`x-event-type-${t}`, `{ $.eventType = "${t}" }`),
  ),
  cwl('x-cli', '{ $.userAgent = "aws-cli/*" }'),
]

function eb(id: string, pattern: Record<string, unknown>): RuleSpec {
  return { id, title: id, severity: 'low', language: 'eventbridge', pattern, examples: { match: [], noMatch: [] } }
}

function cwl(id: string, pattern: string): RuleSpec {
  return { id, title: id, severity: 'low', language: 'cwl-filter', pattern, examples: { match: [], noMatch: [] } }
}

describe('the same with rules that use field tests, many literals and implied literals', () => {
  it.each(datasets)('%s', async (name) => {
    const all = [...rules, ...extra.map((spec) => compileRule(spec))]
    const unindexed = all.filter((r) => r.indexKeys.eventName === null && r.indexKeys.eventSource === null)
    expect(unindexed.filter((r) => r.fieldTests).length).toBeGreaterThan(10)
    expect(new Set(unindexed.filter((r) => !r.fieldTests).flatMap((r) => r.literals?.flat() ?? [])).size).toBeGreaterThan(8)
    const dir = join(fixtures, name)
    const general = generalPathHits(dir, all)
    const fast = await fastPathHits(dir, all)
    expect(fast).toEqual(general)
    if (name !== 'benign') expect(fast.some((h) => h.ruleId.startsWith('x-block'))).toBe(true)
  })
})

/**
 * Sigma rules (examples/sigma, and a few more that key the index by every raw field): Sigma compares strings
 * case-insensitively, so these rules are keyed by field tests that fold case, never by exact eventName keys.
 */
const sigmaExtra: RuleSpec[] = [
  sigma('s-name-folded', { selection: { eventName: 'stoplogging' }, condition: 'selection' }),
  sigma('s-source-names', {
    selection: { eventSource: 'IAM.amazonaws.com', 'eventName|startswith': ['Create', 'Attach'] },
    condition: 'selection',
  }),
  sigma('s-denied', { selection: { 'errorCode|contains': 'denied' }, condition: 'selection' }),
  sigma('s-root-or-block', {
    root: { 'userIdentity.type': 'root' },
    block: { 'sourceIPAddress|cidr': ['198.51.100.0/24', '203.0.113.0/24'] },
    condition: '1 of them',
  }),
  sigma('s-not-service', {
    selection: { 'userIdentity.type': '*' },
    filter: { 'userIdentity.type': 'AWSService' },
    condition: 'selection and not filter',
  }),
  sigma('s-cli-regex', { selection: { 'userAgent|re|i': '^aws-cli/2\\.' }, condition: 'selection' }),
  sigma('s-keyword', { keywords: ['0.0.0.0/0', 'AdministratorAccess'], condition: 'keywords' }),
  sigma('s-put-wild', { selection: { eventName: 'Put*Polic?', 'errorCode|exists': false }, condition: 'selection' }),
]

function sigma(id: string, detection: Record<string, unknown>): RuleSpec {
  const pattern = { logsource: { product: 'aws', service: 'cloudtrail' }, detection }
  return { id, title: id, severity: 'low', language: 'sigma', pattern, examples: { match: [], noMatch: [] } }
}

describe('the same with Sigma rules', () => {
  let sigmaRules: CompiledRule[]
  beforeAll(async () => {
    const set = await loadRuleSet([join(fixtures, '..', 'examples/sigma')])
    expect(set.diagnostics).toEqual([])
    sigmaRules = [...set.rules, ...sigmaExtra.map((spec) => compileRule(spec))]
  })

  it.each(datasets)('%s', async (name) => {
    expect(sigmaRules.filter((r) => r.fieldTests?.length).length).toBeGreaterThan(8)
    const all = [...rules, ...sigmaRules]
    const dir = join(fixtures, name)
    const general = generalPathHits(dir, all)
    const fast = await fastPathHits(dir, all)
    expect(fast).toEqual(general)
    const sigmaIds = new Set(sigmaRules.map((r) => r.id))
    if (name !== 'benign') expect(fast.filter((h) => sigmaIds.has(h.ruleId)).length).toBeGreaterThan(0)
  })
})

/**
 * The crafted inputs of ../shared/reliability (relsec E1–E8: records nesting `,{"eventVersion":`; concatenated
 * documents), in every layout: what the fast path splits must be what a JSON parser sees, so a finding can be
 * neither hidden nor invented by nesting an anchor, and no record vanishes at a document boundary.
 */
describe('the same on crafted layouts', () => {
  // One directory per file: the same eventIDs in another layout would hide a finding one layout lost.
  const files: [string, string, Buffer][] = [
    ...Object.entries(anchorCases as Record<string, unknown[]>).flatMap(([name, records]) =>
      Object.entries(layouts(records)).map(([layout, bytes]): [string, string, Buffer] => [
        `${name} ${layout}`,
        layout === 'lines' ? 'a.jsonl' : layout === 'compact.gz' ? 'a.json.gz' : 'a.json',
        bytes,
      ]),
    ),
    ...Object.entries(concatCases).map(([name, bytes]): [string, string, Buffer] => [
      name,
      name.endsWith('gz') ? 'a.json.gz' : 'a.json',
      bytes,
    ]),
  ]
  let crafted: string
  beforeAll(() => {
    crafted = mkdtempSync(join(tmpdir(), 'trailscan-crafted-'))
  })
  afterAll(() => rmSync(crafted, { recursive: true, force: true }))

  it.each(files)('%s', async (name, file, bytes) => {
    const dir = join(crafted, name.replace(/[^\w.-]/g, '_'))
    mkdirSync(dir)
    writeFileSync(join(dir, file), bytes)
    const general = generalPathHits(dir, rules)
    const fast = await fastPathHits(dir, rules)
    expect(fast).toEqual(general)
  })
})
