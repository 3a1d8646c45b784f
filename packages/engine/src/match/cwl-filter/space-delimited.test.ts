import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '../../errors.js'
import { compileCwlFilter } from './compile.js'
import { parseCwlFilter } from './parser.js'
import { splitFields } from './space-delimited-filter.js'

const APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'

const run = (pattern: string, message: string): { matched: boolean; extractedValues: Record<string, string> } =>
  compileCwlFilter(pattern).testMessage(message)

describe('event fields', () => {
  it('keep bracketed and quoted text as one field without its delimiters', () => {
    expect(splitFields(APACHE).values).toEqual([
      '127.0.0.1',
      '-',
      'frank',
      '10/Oct/2000:13:25:15 -0700',
      'GET /index.html HTTP/1.0',
      '404',
      '1534',
    ])
  })

  it('collapse runs of spaces and treat an unclosed quote as an ordinary character', () => {
    expect(splitFields('  a   b\t"c d').values).toEqual(['a', 'b', '"c', 'd'])
  })
})

describe('space-delimited patterns', () => {
  it('extract named fields as $name', () => {
    expect(run('[ip, identity, user_id, timestamp, request, status_code, size]', APACHE).extractedValues).toEqual({
      $ip: '127.0.0.1',
      $identity: '-',
      $user_id: 'frank',
      $timestamp: '10/Oct/2000:13:25:15 -0700',
      $request: 'GET /index.html HTTP/1.0',
      $status_code: '404',
      $size: '1534',
    })
  })

  it('number fields absorbed by ... and unnamed slots by position', () => {
    expect(run('[..., request=*.html*, status_code=4*,]', APACHE).extractedValues).toEqual({
      $1: '127.0.0.1',
      $2: '-',
      $3: 'frank',
      $4: '10/Oct/2000:13:25:15 -0700',
      $request: 'GET /index.html HTTP/1.0',
      $status_code: '404',
      $7: '1534',
    })
    expect(Object.keys(run('[]', APACHE).extractedValues)).toEqual(['$1', '$2', '$3', '$4', '$5', '$6', '$7'])
    expect(run('[ip, ...]', 'a b c').extractedValues).toEqual({ $ip: 'a', $2: 'b', $3: 'c' })
  })

  it('give extra words to the last field when there is no ...', () => {
    expect(run('[w1=ERROR, w2]', 'ERROR 09/25/2014 Failed to process').extractedValues).toEqual({
      $w1: 'ERROR',
      $w2: '09/25/2014 Failed to process',
    })
    expect(run('[w1, w2, w3]', 'only two').matched).toBe(false)
    expect(run('[w1, w2 = *process]', 'ERROR failed to process').matched).toBe(true)
  })

  it('compare numeric fields numerically and other fields as text', () => {
    expect(run('[a, b > 1000]', 'x 1534').matched).toBe(true)
    expect(run('[a, b > 1000]', 'x 999').matched).toBe(false)
    expect(run('[a, b > 1000]', 'x abc').matched).toBe(false)
    expect(run('[a, b = 404]', 'x 404.0').matched).toBe(true)
    expect(run('[a, b = "404"]', 'x 404.0').matched).toBe(false)
    expect(run('[a, b != 5]', 'x abc').matched).toBe(true)
  })

  it('combine conditions on one field with && over ||', () => {
    const p = '[a, b = 1 || b = 5* && b != 55, ...]'
    expect(run(p, 'x 1 y').matched).toBe(true)
    expect(run(p, 'x 51 y').matched).toBe(true)
    expect(run(p, 'x 55 y').matched).toBe(false)
  })

  it('support regex values and case-sensitive text', () => {
    expect(run('[ip=%127\\.0\\.0\\.[1-9]%, ...]', APACHE).matched).toBe(true)
    expect(run('[ip, user = Frank, ...]', '1 frank').matched).toBe(false)
  })

  it('use the raw text in matchRecord', () => {
    expect(compileCwlFilter('[a = x, b]').matchRecord({}, 'x y')).toBe(true)
  })

  it('reject what AWS or CDK reject, with a position', () => {
    const at = (p: string): { message: string; offset: number | undefined } => {
      try {
        parseCwlFilter(p)
      } catch (err) {
        expect(err).toBeInstanceOf(RuleSyntaxError)
        return { message: (err as Error).message, offset: (err as RuleSyntaxError).location?.offset }
      }
      throw new Error(`accepted ${p}`)
    }
    expect(at('[a, b = 1 && c = 2]')).toMatchObject({ offset: 13 })
    expect(at('[..., ...]')).toMatchObject({ offset: 6 })
    expect(at('[a > "5"]')).toMatchObject({ offset: 5 })
    expect(at('[a, b')).toMatchObject({ message: "If a filter pattern starts with '[' it must end with ']'", offset: 5 })
    expect(at('[a b]')).toMatchObject({ offset: 3 })
    expect(at('[a = x:y]')).toMatchObject({ offset: 6 })
  })
})
