import { describe, expect, it } from 'vitest'
import { char, type RegexFlags, type RegexNode } from './ast.js'
import { LinearRegex } from './linear-regex.js'
import { MAX_PROGRAM_SIZE, RegexTooLargeError } from './program.js'

const lit = (s: string): RegexNode => ({ kind: 'concat', items: [...s].map((c) => char(c.charCodeAt(0))) })
const seq = (...items: RegexNode[]): RegexNode => ({ kind: 'concat', items })
const star = (node: RegexNode): RegexNode => ({ kind: 'repeat', node, min: 0, max: Infinity })
const dot: RegexNode = { kind: 'dot' }
const test = (node: RegexNode, text: string, flags?: RegexFlags): boolean => new LinearRegex(node, flags).test(text)

describe('LinearRegex flags (for Sigma `re` with i, m, s)', () => {
  it('ignoreCase compares each unit with its simple lower and upper case', () => {
    expect(test(lit('Trail'), 'UPDATETRAIL')).toBe(false)
    expect(test(lit('Trail'), 'UPDATETRAIL', { ignoreCase: true })).toBe(true)
    expect(test(lit('ä'), 'Ä', { ignoreCase: true })).toBe(true)
    const notA: RegexNode = { kind: 'set', set: { ranges: [[0x61, 0x61]], negated: true } }
    expect(test(seq({ kind: 'lineStart' }, notA, { kind: 'lineEnd' }), 'A', { ignoreCase: true })).toBe(false)
  })

  it('multiline lets ^ and $ match at line terminators', () => {
    const line = seq({ kind: 'lineStart' }, lit('b'), { kind: 'lineEnd' })
    expect(test(line, 'a\nb\nc')).toBe(false)
    expect(test(line, 'a\nb\nc', { multiline: true })).toBe(true)
    expect(test(line, 'a\r\nb', { multiline: true })).toBe(true)
  })

  it('dotAll lets . match line terminators', () => {
    const across = seq(lit('a'), dot, lit('b'))
    expect(test(across, 'a\nb')).toBe(false)
    expect(test(across, 'a\nb', { dotAll: true })).toBe(true)
    expect(test(across, 'a\u2029b')).toBe(false)
  })
})

describe('LinearRegex search', () => {
  it('finds a match that starts after a failed partial one (skip by the first unit)', () => {
    expect(test(lit('aab'), 'aaab')).toBe(true)
    expect(test(seq(lit('ab'), star(dot), lit('cd')), 'xxabxxabyycd')).toBe(true)
    expect(test(seq(lit('ab'), star(dot), lit('cd')), 'xxabxxabyyc')).toBe(false)
  })

  it('survives nested empty loops', () => {
    expect(test(star(star({ kind: 'empty' })), 'abc')).toBe(true)
    expect(test(seq(star(star(lit('a'))), lit('b')), 'a'.repeat(10_000))).toBe(false)
  })

  it('refuses programs over the size bound before building them', () => {
    const big: RegexNode = { kind: 'repeat', node: { kind: 'repeat', node: lit('abc'), min: 100, max: 100 }, min: 100, max: 100 }
    expect(() => new LinearRegex(big)).toThrow(RegexTooLargeError)
    expect(() => new LinearRegex({ kind: 'repeat', node: char(97), min: 0, max: MAX_PROGRAM_SIZE / 4 })).not.toThrow()
  })

  it('nested repetition over a long value finishes', { timeout: 30_000 }, () => {
    const evil = seq(star(seq(star(lit('a')), star(lit('a')))), lit('b'))
    expect(test(evil, 'a'.repeat(100_000))).toBe(false)
  })
})

describe('LinearRegex literal prefix', () => {
  it('keeps every start inside overlapping occurrences of its prefix', () => {
    const digit: RegexNode = { kind: 'set', set: { ranges: [[0x30, 0x39]], negated: false } }
    expect(test(seq(lit('abab'), digit), 'abababa1ababab2')).toBe(true)
    expect(test(seq(lit('abab'), digit), 'abababa1ababab')).toBe(false)
    expect(test(seq(lit('aa'), star(lit('a')), lit('b')), 'aaaab')).toBe(true)
    expect(test(lit('aab'), 'aaab')).toBe(true)
  })
})

describe('program size bound', () => {
  it('counts what compiling emits, so the bound holds exactly', () => {
    const a = char(97)
    // {m,} emits m copies plus the loop's copy, each unit with its split/jump.
    expect(() => new LinearRegex({ kind: 'repeat', node: a, min: 3000, max: Infinity })).not.toThrow()
    expect(() => new LinearRegex({ kind: 'repeat', node: a, min: 3400, max: Infinity })).toThrow(RegexTooLargeError)
  })
})
