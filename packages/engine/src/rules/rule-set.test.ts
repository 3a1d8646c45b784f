import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadRuleSet } from './rule-set.js'

const rule = (id: string, pattern: string): string =>
  `id: ${id}\ntitle: t\nseverity: low\nlanguage: cwl-filter\npattern: '${pattern}'\nexamples:\n  match:\n    - eventName: A\n  noMatch:\n    - eventName: Z\n`

describe('loadRuleSet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscan-ruleset-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('compiles what loads and places a pattern error at its line and column in the file', async () => {
    const pack = join(dir, 'mine')
    mkdirSync(pack)
    writeFileSync(join(pack, 'good.yaml'), rule('good', '{ $.eventName = "StopLogging" }'))
    writeFileSync(join(pack, 'bad.yaml'), `# a comment\n${rule('bad', '{ $.eventName = "StopLogging" && }')}`)
    const set = await loadRuleSet([pack])
    expect(set.rules.map((r) => r.id)).toEqual(['good'])
    expect(set.diagnostics).toHaveLength(1)
    // `pattern: '` is 10 characters: the pattern starts in column 11, and the error's offset is inside it.
    expect(set.diagnostics[0]).toMatchObject({ severity: 'error', ruleId: 'bad', file: join(pack, 'bad.yaml'), line: 6 })
    expect(set.diagnostics[0]!.column).toBeGreaterThan(11)
  })

  it('takes a snapshot pack without reading its files, and reads other paths', async () => {
    const shipped = join(dir, 'shipped')
    const mine = join(dir, 'mine2')
    mkdirSync(mine)
    writeFileSync(join(mine, 'a.yaml'), rule('from-yaml', '{ $.eventName = "A" }'))
    const spec = {
      id: 'from-snapshot',
      title: 't',
      severity: 'low',
      language: 'cwl-filter',
      pattern: '{ $.eventName = "B" }',
      examples: { match: [{ eventName: 'B' }], noMatch: [{ eventName: 'Z' }] },
    }
    // The snapshot's directory does not exist: only the snapshot can supply it.
    const snapshot = { packs: [{ id: 'shipped', dir: shipped }], rules: [{ ...spec, file: join(shipped, 'b.yaml') }] }
    const set = await loadRuleSet([shipped, mine], { snapshot })
    expect(set.diagnostics).toEqual([])
    expect(set.rules.map((r) => r.id)).toEqual(['from-snapshot', 'from-yaml'])
    expect(set.load.packs.map((p) => p.id)).toEqual(['shipped'])
  })
})
