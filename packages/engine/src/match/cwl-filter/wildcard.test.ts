import { describe, expect, it } from 'vitest'
import { compileWildcard } from './wildcard.js'

describe('glob wildcards (default)', () => {
  const glob = (p: string, v: string): boolean => compileWildcard(p, 'glob')(v)

  it('compares whole values when there is no star', () => {
    expect(glob('UpdateTrail', 'UpdateTrail')).toBe(true)
    expect(glob('Update', 'UpdateTrail')).toBe(false)
  })

  it('treats a leading, trailing and enclosing star as suffix, prefix and contains', () => {
    expect(glob('*UnauthorizedOperation', 'Client.UnauthorizedOperation')).toBe(true)
    expect(glob('*UnauthorizedOperation', 'UnauthorizedOperationX')).toBe(false)
    expect(glob('AccessDenied*', 'AccessDeniedException')).toBe(true)
    expect(glob('AccessDenied*', 'accessdenied')).toBe(false)
    expect(glob('*.html*', 'GET /index.html HTTP/1.0')).toBe(true)
  })

  it('lets a star match the empty string and a lone star match anything', () => {
    expect(glob('123*', '123')).toBe(true)
    expect(glob('*123', '123')).toBe(true)
    expect(glob('*', '')).toBe(true)
  })

  it('matches infix stars with backtracking', () => {
    expect(glob('1*3', '123')).toBe(true)
    expect(glob('111*111', '111.111.111.111')).toBe(true)
    expect(glob('*111.111.111', '111.111.111.111')).toBe(true)
    expect(glob('a*b*c', 'a-c-b')).toBe(false)
    expect(glob('ab*ba', 'aba')).toBe(false)
  })
})

describe('aws-2019 wildcards (first occurrence, no backtracking)', () => {
  const aws = (p: string, v: string): boolean => compileWildcard(p, 'aws-2019')(v)

  it('reproduces what the real API answered in 2019', () => {
    expect(aws('*111.111.111', '111.111.111.111')).toBe(false)
    expect(aws('*.111.111.111', '111.111.111.111')).toBe(true)
    expect(aws('111*111', '111.111.111.111')).toBe(false)
    expect(aws('1*3', '123')).toBe(true)
    expect(aws('1*4', '12.34')).toBe(true)
    expect(aws('111*', '111.111.111.111')).toBe(true)
  })
})
