import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CORE_SCHEMA, load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { NOT_PLAIN, parseBlockYaml } from './block-yaml.js'
import { loadRules } from './load.js'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const jsYaml = (text: string): unknown => load(text, { schema: CORE_SCHEMA })

/** The reader either declines or agrees with js-yaml, value for value. */
function agrees(text: string): 'declined' | 'read' {
  const fast = parseBlockYaml(text)
  if (fast === NOT_PLAIN) return 'declined'
  expect(fast, text).toStrictEqual(jsYaml(text))
  return 'read'
}

describe('parseBlockYaml', () => {
  const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: repo, encoding: 'utf8' }).split('\n').filter(Boolean)

  it('agrees with js-yaml on every YAML file in the repository (hand-written: folded text, flow lists)', () => {
    expect(files.length).toBeGreaterThan(20)
    for (const f of files) agrees(readFileSync(join(repo, f), 'utf8'))
  })

  it('reads every rule of the repository written out as block YAML, as tools write rule files', () => {
    const rules = files.filter((f) => f.startsWith('packages/rules/rules/') || f.startsWith('examples/'))
    expect(rules.length).toBeGreaterThan(20)
    for (const f of rules) expect(agrees(toBlockYaml(jsYaml(readFileSync(join(repo, f), 'utf8'))))).toBe('read')
  })

  it('reads block mappings, sequences and the scalars it knows', () => {
    const text = [
      'id: "x-1"',
      'title: Plain words, with commas and a-dash',
      "single: 'it is'",
      'count: 42',
      'neg: -7',
      'zero: 0',
      'on: true',
      'off: false',
      'none: null',
      'empty:',
      'map: {}',
      'list: []',
      '"quoted key": "esc\\"aped \\u00e9 \\n"',
      '$or:',
      '  - a: 1',
      '    b:',
      '      - "x"',
      '      -   c: d',
      '          e: f',
      '  -',
      '    g: h',
      '# a comment',
      'arn: arn:aws:iam::111122223333:root',
      'tail: value   ',
      'words: 1000 generated rules',
    ].join('\n')
    expect(agrees(text)).toBe('read')
    expect(parseBlockYaml(text)).toMatchObject({ empty: null, arn: 'arn:aws:iam::111122223333:root', tail: 'value' })
    // YAML trims spaces only: a no-break space stays in a plain scalar, as js-yaml keeps it.
    expect(agrees('a: b\u00a0')).toBe('read')
  })

  it.each([
    ['flow collection', 'a: {b: 1}'],
    ['flow sequence', 'a: [1, 2]'],
    ['block scalar', 'a: |\n  text'],
    ['folded scalar', 'a: >\n  text'],
    ['anchor and alias', 'a: &x 1\nb: *x'],
    ['tag', 'a: !!str 1'],
    ['comment after a value', 'a: b # note'],
    ['float', 'a: 1.5'],
    ['leading zero', 'a: 007'],
    ['number with a trailing word and no space', 'a: 12abc'],
    ['plus sign', 'a: +1'],
    ['hex', 'a: 0x1F'],
    ['infinity', 'a: .inf'],
    ['capitalised keyword', 'a: True'],
    ['tilde', 'a: ~'],
    ['tab', 'a:\tb'],
    ['CRLF', 'a: b\r\nc: d'],
    ['document marker', '---\na: b'],
    ['directive', '%YAML 1.2\n---\na: b'],
    ['duplicate key', 'a: 1\na: 2'],
    ['__proto__ key', '__proto__: 1'],
    ['indentless sequence', 'a:\n- 1'],
    ['plain continuation line', 'a: one\n  two'],
    ['multi-line quoted string', 'a: "one\n  two"'],
    ['top-level scalar', 'hello'],
    ['key without a space', 'a:b'],
    ['colon-space in a plain value', 'a: b: c'],
    ['trailing colon', 'a: b:'],
    ['nested compact sequence', '- - a'],
    ['quoted key with an escape', '"a\\"b": 1'],
    ['single quote escape', "a: 'it''s'"],
    ['unknown escape', 'a: "\\x41"'],
    ['empty document', ''],
    ['only a comment', '# nothing'],
    ['first line indented', '  a: 1'],
    ['deeper line after a value', 'a: 1\n    b: 2'],
    ['control character', 'a: "b\u0001"'],
  ])('declines %s, which js-yaml reads or rejects itself', (_name, text) => {
    expect(parseBlockYaml(text)).toBe(NOT_PLAIN)
  })

  // Nesting in one space per level: a 3,000-deep block overflowed this reader's recursion ("YAML: Maximum call
  // stack size exceeded", no line), and 99 levels it read, where js-yaml refuses them (maxDepth).
  it.each([99, 3000])('declines %i nested mappings, so js-yaml names the line of its maxDepth error', async (n) => {
    let text = ''
    for (let i = 0; i < n; i++) text += `${' '.repeat(i)}k:\n`
    text += `${' '.repeat(n)}v: 1\n`
    expect(parseBlockYaml(text)).toBe(NOT_PLAIN)
    const dir = mkdtempSync(join(tmpdir(), 'block-yaml-deep-'))
    try {
      writeFileSync(
        join(dir, 'deep.yaml'),
        `id: deep\ntitle: t\nseverity: low\nlanguage: cwl-filter\npattern: '{ $.eventName = "X" }'\nexamples:\n  match:\n${text.replace(/^/gm, '    ').trimEnd()}\n`,
      )
      const { diagnostics } = await loadRules([dir])
      expect(diagnostics.map((d) => d.message)).toEqual(['YAML: nesting exceeded maxDepth (100)'])
      expect(diagnostics[0]!.line).toBeGreaterThan(100)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('agrees on generated rule-like documents', () => {
    let seed = 7
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n)
    const scalars = [
      '"a b"',
      '"x\\\\y"',
      '"\\u00e9"',
      'word',
      'two words',
      '12',
      '-3',
      'null',
      'true',
      'false',
      '{}',
      '[]',
      "'q'",
      'arn:aws:s3:::b',
    ]
    const doc = (depth: number, indent: string): string[] => {
      const lines: string[] = []
      const n = 1 + rand(4)
      for (let i = 0; i < n; i++) {
        const key = `k${i}`
        const kind = depth > 3 ? 0 : rand(3)
        if (kind === 0) lines.push(`${indent}${key}: ${scalars[rand(scalars.length)]}`)
        else if (kind === 1) lines.push(`${indent}${key}:`, ...doc(depth + 1, `${indent}  `))
        else {
          lines.push(`${indent}${key}:`)
          for (let j = 1 + rand(3); j > 0; j--) {
            if (rand(2)) lines.push(`${indent}  - ${scalars[rand(scalars.length)]}`)
            else {
              const inner = doc(depth + 1, `${indent}    `)
              lines.push(`${indent}  - ${inner[0]!.trimStart()}`, ...inner.slice(1))
            }
          }
        }
      }
      return lines
    }
    for (let i = 0; i < 200; i++) expect(agrees(doc(0, '').join('\n'))).toBe('read')
  })
})

/** Block YAML with every string double-quoted in JSON's escapes, which YAML reads alike. */
function toBlockYaml(v: unknown, indent = ''): string {
  const isColl = (x: unknown): x is object => x !== null && typeof x === 'object' && Object.keys(x).length > 0
  const scalar = (x: unknown): string => (Array.isArray(x) ? '[]' : x !== null && typeof x === 'object' ? '{}' : JSON.stringify(x))
  if (Array.isArray(v))
    return v.map((x) => (isColl(x) ? `${indent}- ${toBlockYaml(x, `${indent}  `).trimStart()}` : `${indent}- ${scalar(x)}`)).join('\n')
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) =>
      isColl(x) ? `${indent}${JSON.stringify(k)}:\n${toBlockYaml(x, `${indent}  `)}` : `${indent}${JSON.stringify(k)}: ${scalar(x)}`,
    )
    .join('\n')
}
