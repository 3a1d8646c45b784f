import { describe, expect, test } from 'vitest'
import { RuleSyntaxError, UsageError } from '../../errors.js'
import { INVALID_EVENT_MESSAGE, testEventPattern } from './index.js'

const envelope = { id: '1', account: '123456789012', source: 's', time: 't', region: 'r', 'detail-type': 'd' }

describe('testEventPattern', () => {
  test('tests JSON text or objects alike', () => {
    expect(testEventPattern('{"source": ["s"]}', JSON.stringify(envelope))).toBe(true)
    expect(testEventPattern({ source: ['x'] }, envelope)).toBe(false)
  })

  test('reads event numbers without rounding them, as AWS does', () => {
    const event = (n: string): string => `{"id":"1","account":"a","source":"s","time":"t","region":"r","detail-type":"d","n":${n}}`
    expect(testEventPattern('{"n": [12345678901234567890]}', event('12345678901234567890'))).toBe(true)
    expect(testEventPattern('{"n": [12345678901234567890]}', event('12345678901234567891'))).toBe(false)
  })

  test('does not require `resources`, which AWS does not enforce despite its docs', () => {
    expect(testEventPattern({ id: ['1'] }, envelope)).toBe(true)
  })

  test.for([
    ['missing detail-type', JSON.stringify({ ...envelope, 'detail-type': undefined })],
    ['not JSON', '{"id": '],
    ['not an object', '[1]'],
  ] as const)('refuses an event that is %s, with AWS message', ([, event]) => {
    expect(() => testEventPattern({ id: ['1'] }, event)).toThrow(UsageError)
    expect(() => testEventPattern({ id: ['1'] }, event)).toThrow(INVALID_EVENT_MESSAGE)
  })

  test('an invalid pattern is a RuleSyntaxError, whatever the event', () => {
    expect(() => testEventPattern({ id: [] }, '{}')).toThrow(RuleSyntaxError)
  })
})
