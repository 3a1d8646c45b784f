import { describe, expect, test } from 'vitest'
import { MAX_WILDCARD_COMPLEXITY, compileWildcard, wildcardComplexity, wildcardSegments } from './wildcard.js'

const matcher = (pattern: string): ((s: string) => boolean) => {
  const segs = wildcardSegments(pattern)
  if (typeof segs === 'string') throw new Error(segs)
  return compileWildcard(segs)
}

describe('wildcard matching', () => {
  test.for([
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'x', false],
    ['dir/*.png', 'dir/a/b.png', true],
    ['dir/*.png', 'dir/a.png.txt', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'acb', false],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['ab*ba', 'aba', false], // prefix and suffix may not overlap
    ['\\*lit', '*lit', true],
    ['\\*lit', 'xlit', false],
    ['back\\\\slash*', 'back\\slash!', true],
    ['multi\nline*', 'multi\nline end', true],
  ] as const)('%j against %j → %s', ([pattern, value, expected]) => {
    expect(matcher(pattern)(value)).toBe(expected)
  })
})

describe('wildcard validation', () => {
  test('reports positions as AWS does: UTF-8 offsets into the quoted value', () => {
    expect(wildcardSegments('arn:aws:events:us-east-1:**:event-bus/*')).toBe('Consecutive wildcard characters at pos 26')
    expect(wildcardSegments('é**')).toBe('Consecutive wildcard characters at pos 3')
    expect(wildcardSegments('a\\b')).toBe('Invalid escape character at pos 2')
    expect(wildcardSegments('trailing\\')).toBe('Invalid escape character at pos 9')
  })

  test('an escaped star next to a wildcard star is not a repeat', () => {
    expect(wildcardSegments('\\**')).toEqual(['*', ''])
  })

  test('keeps astral characters whole', () => {
    expect(wildcardSegments('🚀*x')).toEqual(['🚀', 'x'])
  })
})

describe('wildcard complexity', () => {
  const measure = (p: string): number => wildcardComplexity(wildcardSegments(p) as string[])

  test('the patterns AWS accepted stay under the limit and the one it refused does not', () => {
    expect(measure('/Users/*/dir/dir/dir/dir/dir/doc.txt')).toBeLessThan(MAX_WILDCARD_COMPLEXITY)
    expect(measure('arn:aws:events:us-east-1:*:event-bus/*')).toBeLessThan(MAX_WILDCARD_COMPLEXITY)
    expect(measure('*:*:*:*:*:event-bus/*')).toBeGreaterThanOrEqual(MAX_WILDCARD_COMPLEXITY)
  })

  test('grows with the number of stars that can be live together', () => {
    expect(measure('abc')).toBe(1)
    expect(measure('*:*:*')).toBeLessThan(measure('*:*:*:*'))
  })
})
