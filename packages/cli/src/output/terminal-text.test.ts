import { describe, expect, it } from 'vitest'
import { escapeControls, jsonForTerminal } from './terminal-text.js'

describe('escapeControls', () => {
  it('writes every control character out visibly and leaves other text alone', () => {
    expect(escapeControls('plain ARN arn:aws:iam::1:user/é')).toBe('plain ARN arn:aws:iam::1:user/é')
    expect(escapeControls('a\x1b[2Jb\x1b]0;PWNED\x07c')).toBe('a\\x1b[2Jb\\x1b]0;PWNED\\x07c')
    expect(escapeControls('x\n2099-01-01T00:00:00Z  critical\r\t')).toBe('x\\n2099-01-01T00:00:00Z  critical\\r\\t')
    expect(escapeControls('\x00\x7f\x9b\u2028\u202e\u2066')).toBe('\\x00\\x7f\\x9b\\u2028\\u202e\\u2066')
  })
})

describe('jsonForTerminal', () => {
  it('escapes what JSON.stringify leaves raw and keeps the value', () => {
    const value = { ua: 'a\x9b2J\u202eb\x7f\u2028', plain: 'ok' }
    const text = jsonForTerminal(JSON.stringify(value))
    expect(text).not.toMatch(/[\x7f-\x9f\u2028\u202e]/)
    expect(JSON.parse(text)).toEqual(value)
  })
})

describe('renderTable', () => {
  it('escapes before cutting a cell, so no escape is cut in half or left raw', async () => {
    const { renderTable } = await import('./table.js')
    const out = renderTable(['H'], [[`${'a'.repeat(30)}\x1b[2J\x1b]0;t\x07`], ['x\ny']], 34)
    expect(out).not.toMatch(/[\x00-\x09\x0b-\x1f]/)
    expect(out.split('\n')).toHaveLength(5)
    expect(out).toContain(`${'a'.repeat(30)}\\x1…`)
    expect(out).toContain('x\\ny')
  })
})
