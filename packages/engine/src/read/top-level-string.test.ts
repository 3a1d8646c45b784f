import { describe, expect, it } from 'vitest'
import { topLevelString } from './top-level-string.js'

describe('topLevelString', () => {
  it('reads the first occurrence in a record CloudTrail wrote, nested ones after it notwithstanding', () => {
    expect(topLevelString('{"eventVersion":"1","k":"v","requestParameters":{"k":"w"}}', 'k')).toBe('v')
    expect(topLevelString('{"eventVersion":"1"}', 'k')).toBeUndefined()
  })

  it('trusts another layout only when the key occurs once', () => {
    expect(topLevelString('{"k":"v","eventVersion":"1"}', 'k')).toBe('v')
    expect(topLevelString('{"a":{"k":"w"},"k":"v"}', 'k')).toBeNull()
    expect(topLevelString('{"a":1}', 'k')).toBeNull()
  })

  it('cannot tell a value that is not a plain string', () => {
    expect(topLevelString('{"eventVersion":"1","k":["v"]}', 'k')).toBeNull()
    expect(topLevelString('{"eventVersion":"1","k":"a\\"b"}', 'k')).toBeNull()
    expect(topLevelString('{"eventVersion":"1","k":"unterminated', 'k')).toBeNull()
    expect(topLevelString('{"eventVersion":"1","k": "spaced"}', 'k')).toBeNull()
  })
})
