import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { compileAwsRegex } from './regex.js'

const search = (source: string, value: string): boolean => compileAwsRegex(source, source, 0).test(value)

function rejection(source: string): { message: string; offset: number | undefined } {
  try {
    compileAwsRegex(source, `%${source}%`, 1)
  } catch (err) {
    expect(err).toBeInstanceOf(RuleSyntaxError)
    return { message: (err as RuleSyntaxError).message, offset: (err as RuleSyntaxError).location?.offset }
  }
  throw new Error(`accepted ${source}`)
}

describe('AWS regex subset', () => {
  it('searches anywhere in the value unless anchored', () => {
    expect(search('AUTHORIZED', '[ERROR 401] UNAUTHORIZED REQUEST')).toBe(true)
    expect(search('^Trail', 'UpdateTrail')).toBe(false)
  })

  it('reads {,n} as {0,n}, which JavaScript would take literally', () => {
    expect(search('^a{,2}$', 'aa')).toBe(true)
    expect(search('^a{,2}$', 'aaa')).toBe(false)
    expect(search('^a{,2}$', 'a{,2}')).toBe(false)
  })

  it('limits \\s to tab, space and newline', () => {
    expect(search('\\s', '\r')).toBe(false)
    expect(search('\\s', '\t')).toBe(true)
    expect(search('^\\S$', '\r')).toBe(true)
    expect(search('^[\\S]$', '\r')).toBe(true)
    expect(search('^[\\S]$', ' ')).toBe(false)
    expect(search('^[a\\s]+$', 'a a\n')).toBe(true)
  })

  it('supports \\xhh, classes with ranges and negation, and escaped operators', () => {
    expect(search('\\x3A', 'key:value')).toBe(true)
    expect(search('abcc|ab[^c]$', 'abd')).toBe(true)
    expect(search('^[0-9.]+$', '10.0.0.1')).toBe(true)
    expect(search('10\\.10', '10010')).toBe(false)
    expect(search('^/service/resource/[0-9]+$', '/service/resource/67')).toBe(true)
  })

  it('rejects what AWS rejects, pointing at the character', () => {
    expect(rejection('a(b)')).toEqual({ message: "'(' and ')' are not supported in regular expressions", offset: 2 })
    expect(rejection('something!')).toMatchObject({ offset: 10 })
    expect(rejection('é')).toMatchObject({ message: 'multi-byte characters are not supported in regular expressions' })
    expect(rejection('')).toMatchObject({ message: 'empty regular expression' })
    expect(rejection('\\q').message).toContain("unsupported escape '\\q'")
    expect(rejection('[abc').message).toContain('unterminated character class')
    expect(rejection('a{x}').message).toContain('repetition')
    expect(rejection('*a').message).toContain('invalid regular expression')
    expect(rejection('a}').message).toContain("unmatched '}'")
  })
})

/** The JavaScript RegExp the previous translation built for the same source: the reference for plain patterns. */
function reference(source: string): RegExp {
  return new RegExp(source.replace(/\\s/g, '[ \\t\\n]').replace(/\\S/g, '[^ \\t\\n]').replace(/\{,/g, '{0,'))
}

describe('linear-time engine agrees with a JavaScript RegExp where both apply', () => {
  const atoms = ['a', 'b', '1', ' ', '-', '.', '\\d', '\\w', '\\W', '\\s', '\\S', '[ab]', '[^a]', '[a-c1]', '[-a]', '\\.', '\\x61', '_']
  const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{,2}', '{2,}', '*?']
  const values = ['', 'a', 'ab', 'ba', 'aab b', 'a.b', 'a\nb', 'a\r', '1-2', 'abc_1', ' ', 'bbb', 'a1a1', 'x', '\u2028a', 'é']
  // A fixed linear congruential sequence: the same cases every run.
  let seed = 12345
  const pick = <T>(xs: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return xs[seed % xs.length] as T
  }
  const patterns: string[] = []
  for (let n = 0; n < 400; n++) {
    let p = pick(['', '', '^'])
    const len = 1 + (n % 4)
    for (let k = 0; k < len; k++) p += pick(atoms) + pick(quantifiers)
    if (n % 5 === 0) p += '|' + pick(atoms) + pick(quantifiers)
    p += pick(['', '', '$'])
    patterns.push(p)
  }
  it('on 400 generated patterns × 16 values', () => {
    const disagreements: string[] = []
    for (const p of patterns) {
      const re = reference(p)
      for (const v of values) if (search(p, v) !== re.test(v)) disagreements.push(`${p} on ${JSON.stringify(v)}`)
    }
    expect(disagreements).toEqual([])
  })
})

// ../shared/reliability/README.md §7: each of these ran over 120 s (or 13 s) as a JavaScript RegExp.
describe('hostile patterns finish (linear time)', () => {
  it.each([
    ['\\w*\\w*\\w*\\w*\\w*x', 'a'.repeat(200), false],
    ['.*.*.*.*.*.*x', 'a'.repeat(200), false],
    ['[a-z]+[a-z]+[a-z]+[a-z]+[a-z]+x', 'a'.repeat(200), false],
    ['a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
    ['.*Terraform.*HashiCorp', 'Terraform '.repeat(10_000), false],
    ['.*Terraform.*HashiCorp', `${'Terraform '.repeat(10_000)}HashiCorp`, true],
    ['[a-zA-Z/]+HashiCorp', 'a/'.repeat(50_000), false],
    ['\\S+\\s+\\S+x', 'a a '.repeat(25_000), false],
  ] as [string, string, boolean][])('%s on a long value', { timeout: 30_000 }, (p, v, expected) => {
    expect(search(p, v)).toBe(expected)
  })

  it('bounds repetition counts and program size at load', () => {
    expect(rejection('a{1001}').message).toContain('repetition counts above 1000')
    expect(rejection('[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}').message).toContain('too large')
    expect(search('^a{1000}$', 'a'.repeat(1000))).toBe(true)
    expect(search('^a{1000}$', 'a'.repeat(999))).toBe(false)
  })

  it('rejects quantifiers with nothing to repeat, and ranges out of order', () => {
    expect(rejection('^*').message).toContain('nothing to repeat')
    expect(rejection('a**').message).toContain('nothing to repeat')
    expect(rejection('a|*').message).toContain('nothing to repeat')
    expect(rejection('[z-a]').message).toContain('out of order')
  })
})
