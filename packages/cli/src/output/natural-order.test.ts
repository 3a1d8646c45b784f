import { describe, expect, it } from 'vitest'
import { naturalCompare } from './natural-order.js'

describe('naturalCompare', () => {
  it('orders digit runs as numbers and the rest as text', () => {
    const ids = ['cis-4.10', 'cis-4.2-sso', 'cis-4.2', 'bench-0010', 'bench-9', 'public-s3-acl', 'cis-4.1', 'cis-4.15', 'a', 'a1', 'a01b']
    expect([...ids].sort(naturalCompare)).toEqual([
      'a',
      'a1',
      'a01b',
      'bench-9',
      'bench-0010',
      'cis-4.1',
      'cis-4.2',
      'cis-4.2-sso',
      'cis-4.10',
      'cis-4.15',
      'public-s3-acl',
    ])
  })

  it('is consistent both ways and zero only for equal strings', () => {
    expect(naturalCompare('x2', 'x10')).toBeLessThan(0)
    expect(naturalCompare('x10', 'x2')).toBeGreaterThan(0)
    expect(naturalCompare('same', 'same')).toBe(0)
  })
})
