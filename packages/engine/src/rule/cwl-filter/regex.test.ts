import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { translateAwsRegex } from './regex.js'

const search = (source: string, value: string): boolean => translateAwsRegex(source, source, 0).test(value)

function rejection(source: string): { message: string; offset: number | undefined } {
  try {
    translateAwsRegex(source, `%${source}%`, 1)
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
