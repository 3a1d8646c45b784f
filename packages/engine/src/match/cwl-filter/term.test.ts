import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { compileCwlFilter } from './compile.js'
import { parseCwlFilter } from './parser.js'

const matches = (pattern: string, message: string): boolean => compileCwlFilter(pattern).testMessage(message).matched

describe('term patterns', () => {
  it('match case-sensitive substrings, not whole words', () => {
    expect(matches('ERROR', 'Exiting with ERRORCODE: -1')).toBe(true)
    expect(matches('Error', 'This message contains an ERROR')).toBe(false)
  })

  it('require every plain term, in any order', () => {
    expect(matches('Exception ERROR', '[ERROR] Unhandled Exception')).toBe(true)
    expect(matches('ERROR ARGUMENTS', '[ERROR 400] BAD REQUEST')).toBe(false)
  })

  it('treat a quoted string as one phrase', () => {
    expect(matches('"ERROR Exception"', '[ERROR] Unhandled Exception')).toBe(false)
    expect(matches('"Unhandled Exception"', '[ERROR] Unhandled Exception')).toBe(true)
    expect(matches('"say \\"hi\\""', 'they say "hi"')).toBe(true)
  })

  it('exclude events containing a -term', () => {
    expect(matches('ERROR -Exiting', 'Exiting with ERRORCODE: -1')).toBe(false)
    expect(matches('-DEBUG', 'INFO started')).toBe(true)
    expect(matches('-DEBUG', 'DEBUG started')).toBe(false)
  })

  it('match any ?term when only ?terms are given, and ignore them otherwise', () => {
    expect(matches('?ERROR ?WARN', 'WARN message')).toBe(true)
    expect(matches('?ERROR ?WARN', 'INFO message')).toBe(false)
    expect(matches('?ERROR ?ARGUMENTS REQUEST', '[ERROR 419] MISSING ARGUMENTS')).toBe(false)
    expect(matches('?ERROR ?ARGUMENTS REQUEST', '[INFO] REQUEST FAILED')).toBe(true)
    expect(matches('?ERROR -WARN', 'INFO only')).toBe(true)
  })

  it('match everything for an empty pattern and a blank phrase', () => {
    expect(matches('', 'anything')).toBe(true)
    expect(matches('   ', 'anything')).toBe(true)
    expect(matches('" "', 'nospace')).toBe(true)
    expect(matches('""', 'x')).toBe(true)
  })

  it('search the raw record text in matchRecord', () => {
    const f = compileCwlFilter('AccessDenied -GetObject')
    expect(f.matchRecord({}, '{"errorCode":"AccessDenied","eventName":"PutObject"}')).toBe(true)
    expect(f.matchRecord({}, '{"errorCode":"AccessDenied","eventName":"GetObject"}')).toBe(false)
  })

  it('give no extracted values', () => {
    expect(compileCwlFilter('ERROR').testMessage('ERROR x')).toEqual({ matched: true, extractedValues: {} })
  })

  it('reject unquoted special characters and dangling prefixes with a position', () => {
    const at = (p: string): number | undefined => {
      try {
        parseCwlFilter(p)
      } catch (err) {
        expect(err).toBeInstanceOf(RuleSyntaxError)
        return (err as RuleSyntaxError).location?.offset
      }
      throw new Error(`accepted ${p}`)
    }
    expect(at('ERROR:')).toBe(5)
    expect(at('ok ?')).toBe(4)
    expect(at('"abc')).toBe(0)
    expect(at('"a"b')).toBe(3)
    expect(at('?-x')).toBe(1)
  })
})

describe('regex patterns', () => {
  it('search the whole message', () => {
    expect(matches('%AUTHORIZED%', '[ERROR 401] UNAUTHORIZED REQUEST')).toBe(true)
    expect(matches('%^starting|^shutting down%', 'shutting down now')).toBe(true)
    expect(matches('%^starting|^shutting down%', 'now shutting down')).toBe(false)
    expect(compileCwlFilter('%abc%').kind).toBe('term')
  })

  it('reject an unterminated regex and unsupported characters', () => {
    expect(() => parseCwlFilter('%abc')).toThrow("a regular expression pattern must end with '%'")
    expect(() => parseCwlFilter('%a(b)%')).toThrow(RuleSyntaxError)
  })
})
