import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MAX_YAML_NODES, loadRules, parseYaml } from './load.js'

// ../shared/reliability/README.md §7 (relsec/gen_yaml.py): nine levels of nine aliases each.
const laughs = (levels: number, indent = ''): string =>
  `${indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n` +
  Array.from({ length: levels }, (_, i) => `${indent}a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(',')}]\n`).join('')

describe('YAML alias expansion bound', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trailscan-yaml-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('rejects a document whose aliases expand past the bound, without expanding it', () => {
    expect(() => parseYaml(laughs(9))).toThrow(/expands to more than 100,000 nodes through aliases/)
    expect(() => parseYaml(laughs(200))).toThrow(/through aliases/)
    expect(MAX_YAML_NODES).toBe(100_000)
  })

  it('accepts aliases that stay under the bound, and large documents without aliases', () => {
    expect((parseYaml(laughs(3)) as { a3: unknown[] }).a3).toHaveLength(9)
    const flow = `[${Array.from({ length: 120_000 }, (_, i) => i).join(',')}]`
    expect(parseYaml(flow)).toHaveLength(120_000)
  })

  it('reports an alias bomb in a rule pattern or its examples as a diagnostic of that file', { timeout: 20_000 }, async () => {
    const head = 'title: t\nseverity: low\n'
    const eb = ['id: eb', head, 'language: eventbridge', 'pattern:', '  detail:', '    z0: &a0 { k: [v] }']
    for (let i = 1; i <= 7; i++) eb.push(`    z${i}: &a${i} { ${Array.from({ length: 9 }, (_, j) => `k${j}: *a${i - 1}`).join(', ')} }`)
    writeFileSync(join(dir, 'eb.yaml'), `${eb.join('\n')}\n`)
    writeFileSync(
      join(dir, 'ex.yaml'),
      `id: ex\n${head}language: cwl-filter\npattern: '{ $.eventName = "StopLogging" }'\nexamples:\n  match:\n    - eventName: StopLogging\n      requestParameters:\n${laughs(9, '        ')}`,
    )
    const loaded = await loadRules([dir])
    expect(loaded.rules).toEqual([])
    expect(loaded.diagnostics.map((d) => [d.file?.split('/').pop(), d.message])).toEqual([
      ['eb.yaml', expect.stringMatching(/^YAML: document expands to more than 100,000 nodes through aliases/)],
      ['ex.yaml', expect.stringMatching(/^YAML: document expands/)],
    ])
  })
})
