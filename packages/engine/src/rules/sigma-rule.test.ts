import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordContext } from '../match/context.js'
import { scan } from '../scan.js'
import { loadRuleSet, type RuleSnapshot } from './rule-set.js'

const sigma = (opts: { id?: string; level?: string; logsource?: string; detection?: string; extra?: string } = {}): string =>
  [
    'title: CloudTrail stopped',
    `id: ${opts.id ?? '0f0f0f0f-0000-4000-8000-000000000001'}`,
    'references:',
    '  - https://example.com/why',
    'tags:',
    '  - attack.defense-evasion',
    '  - attack.t1562.008',
    '  - cve.2024-0001',
    'logsource:',
    opts.logsource ?? '  product: aws\n  service: cloudtrail',
    'detection:',
    opts.detection ?? '  selection:\n    eventName: StopLogging\n  condition: selection',
    `level: ${opts.level ?? 'high'}`,
    opts.extra ?? '',
  ].join('\n')

const trailscanRule =
  'id: own\ntitle: t\nseverity: low\nlanguage: cwl-filter\npattern: "{ $.eventName = A }"\nexamples:\n  match:\n    - eventName: A\n  noMatch:\n    - eventName: Z\n'

describe('Sigma rule files', () => {
  const root = mkdtempSync(join(tmpdir(), 'trailscan-sigma-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  let n = 0
  const dirWith = (files: Record<string, string>): string => {
    const dir = join(root, String(n++))
    mkdirSync(dir)
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    return dir
  }

  it('load next to Trailscan rules: id, title, level as severity, tags as ATT&CK references, references as urls', async () => {
    const set = await loadRuleSet([dirWith({ 'a.yml': sigma(), 'own.yaml': trailscanRule })])
    expect(set.diagnostics).toEqual([])
    expect(set.rules.map((r) => r.id)).toEqual(['0f0f0f0f-0000-4000-8000-000000000001', 'own'])
    const spec = set.rules[0]!.spec
    expect(spec).toMatchObject({ title: 'CloudTrail stopped', severity: 'high', language: 'sigma' })
    expect(spec.references).toEqual({ mitreAttack: ['TA0005', 'T1562.008'], urls: ['https://example.com/why'] })
    expect(set.rules[0]!.match(recordContext({ eventName: 'stoplogging' }))).not.toBeNull()
    expect(set.rules[0]!.match(recordContext({ eventName: 'StartLogging' }))).toBeNull()
  })

  it('map every Sigma level to a severity', async () => {
    const levels = { informational: 'info', low: 'low', medium: 'medium', high: 'high', critical: 'critical' }
    const files = Object.fromEntries(Object.keys(levels).map((l, i) => [`${l}.yml`, sigma({ id: `id-${i}`, level: l })]))
    const set = await loadRuleSet([dirWith(files)])
    expect(Object.fromEntries(set.rules.map((r) => [r.spec.file!.replace(/^.*\/|\.yml$/g, ''), r.spec.severity]))).toEqual(levels)
  })

  it('skip and count a rule for another logsource, without an error', async () => {
    const set = await loadRuleSet([
      dirWith({ 'win.yml': sigma({ logsource: '  product: windows\n  category: process_creation' }), 'a.yml': sigma({ id: 'b' }) }),
    ])
    expect(set.rules.map((r) => r.id)).toEqual(['b'])
    expect(set.diagnostics).toEqual([
      expect.objectContaining({ severity: 'warning', skipped: 'logsource', message: expect.stringMatching(/product: windows/) as unknown }),
    ])
  })

  it('skip what does not compile, naming file, line, column and the construct', async () => {
    const dir = dirWith({
      'mod.yml': sigma({ detection: '  selection:\n    eventName: A\n    userAgent|frobnicate: x\n  condition: selection' }),
      'agg.yml': sigma({
        id: 'agg',
        detection: '  selection:\n    eventName: A\n  condition: selection | count() by userIdentity.arn > 5',
      }),
      'undef.yml': sigma({ id: 'undef', detection: "  selection:\n    eventName: A\n  condition: 'selection and not filter'" }),
      'ok.yml': sigma({ id: 'ok' }),
    })
    const set = await loadRuleSet([dir])
    expect(set.rules.map((r) => r.id)).toEqual(['ok'])
    const byFile = Object.fromEntries(set.diagnostics.map((d) => [d.file!.replace(/^.*\//, ''), d]))
    expect(byFile['mod.yml']).toMatchObject({ severity: 'warning', skipped: 'unsupported', line: 15, column: 5 })
    expect(byFile['mod.yml']!.message).toMatch(/unknown modifier 'frobnicate'/)
    // The rule's detection starts on line 12; `  condition: selection | count()…`: the `|` is in column 24.
    expect(byFile['agg.yml']).toMatchObject({ skipped: 'unsupported', line: 15, column: 24 })
    expect(byFile['agg.yml']!.message).toMatch(/aggregations/)
    // `  condition: 'selection and not filter'`: `filter` starts in column 33.
    expect(byFile['undef.yml']).toMatchObject({ skipped: 'invalid', line: 15, column: 33 })
    expect(byFile['undef.yml']!.message).toMatch(/'filter' is not a search identifier/)
  })

  it('skip a correlation rule, and read the rules of a file with several documents', async () => {
    const correlation =
      'title: many\nid: corr\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [userIdentity.arn]\n  timespan: 1h\n  condition:\n    gte: 10\n'
    const set = await loadRuleSet([dirWith({ 'both.yml': `${sigma({ id: 'a' })}\n---\n${correlation}` })])
    expect(set.rules.map((r) => r.id)).toEqual(['a'])
    expect(set.diagnostics).toEqual([expect.objectContaining({ ruleId: 'corr', skipped: 'unsupported', line: 21, column: 1 })])
  })

  it('skip a detection without a condition as invalid Sigma, not as a Trailscan rule with schema errors', async () => {
    const set = await loadRuleSet([dirWith({ 'nocond.yml': sigma({ detection: '  selection:\n    eventName: A' }) })])
    expect(set.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', skipped: 'invalid', line: 12, column: 1 })])
    expect(set.diagnostics[0]!.message).toMatch(/no condition/)
  })

  it('compile from a pack snapshot (JSON of the loaded specs) as from the file, so a shipped pack may hold Sigma', async () => {
    const dir = dirWith({ 'a.yml': sigma() })
    const fromFile = await loadRuleSet([dir])
    const snapshot = JSON.parse(
      JSON.stringify({ packs: [{ id: 'p', dir }], rules: fromFile.load.rules.map(({ spec }) => spec) }),
    ) as RuleSnapshot
    rmSync(join(dir, 'a.yml'))
    const fromSnapshot = await loadRuleSet([dir], { snapshot })
    expect(fromSnapshot.diagnostics).toEqual([])
    expect(fromSnapshot.rules[0]!.spec.language).toBe('sigma')
    expect(fromSnapshot.rules[0]!.match(recordContext({ eventName: 'StopLogging' }))).not.toBeNull()
    expect(fromSnapshot.rules[0]!.fieldTests?.map((t) => t.field)).toEqual(['eventName'])
  })

  it('refuse language: sigma in a Trailscan rule file', async () => {
    const set = await loadRuleSet([dirWith({ 'x.yaml': trailscanRule.replace('cwl-filter', 'sigma') })])
    expect(set.diagnostics).toEqual([expect.objectContaining({ severity: 'error', field: 'language' })])
  })

  it("count the skipped rules in the scan's summary", async () => {
    const set = await loadRuleSet([
      dirWith({
        'win.yml': sigma({ logsource: '  product: windows' }),
        'mod.yml': sigma({ id: 'm', detection: '  selection:\n    eventName|nope: A\n  condition: selection' }),
        'ok.yml': sigma({ id: 'ok' }),
      }),
    ])
    const summary = await scan({ objects: [], rules: set.rules, ruleDiagnostics: set.diagnostics, onFinding: () => undefined })
    expect(summary.rulesSkipped).toMatchObject({ total: 2, byReason: { logsource: 1, unsupported: 1 } })
    expect(summary.rulesSkipped!.first.map((r) => r.reason).sort()).toEqual(['logsource', 'unsupported'])
    const none = await scan({ objects: [], rules: set.rules, onFinding: () => undefined })
    expect(none.rulesSkipped).toBeUndefined()
  })
})
