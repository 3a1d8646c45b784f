import { describe, expect, test } from 'vitest'
import { globMatcher } from './glob.js'

describe('globMatcher', () => {
  test.for([
    ['a*b*c', 'aXbYbZc', undefined, true],
    ['a*b*c', 'acb', undefined, false],
    ['ab*ba', 'aba', undefined, false],
    ['a?c', 'abc', undefined, false],
    ['a?c', 'a?c', undefined, true],
    ['a?c', 'abc', '?', true],
    ['a?c', 'abcd', '?', false],
    ['a?c', 'ac', '?', false],
    ['*?b?*', 'xxaby', '?', true],
    ['*?b?*', 'bb', '?', false],
    ['s3:put*?ing', 's3:putbucketversioning', '?', true],
    ['s3:put*?ing', 's3:puting', '?', false],
    ['*', '', undefined, true],
    ['', '', undefined, true],
  ] as const)('%j against %j (one-character wildcard %j) → %s', ([pattern, value, any, expected]) => {
    expect(globMatcher(pattern, any)(value)).toBe(expected)
  })

  test('many stars and ?s against a long value finish and answer', { timeout: 20_000 }, () => {
    const value = 'a'.repeat(100_000)
    expect(globMatcher(`${'*a'.repeat(200)}*b`)(value)).toBe(false)
    expect(globMatcher(`${'*?'.repeat(200)}*b`, '?')(value)).toBe(false)
    expect(globMatcher(`${'*a?'.repeat(200)}*`, '?')(value)).toBe(true)
  })
})
