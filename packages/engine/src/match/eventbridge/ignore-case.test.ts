import { describe, expect, test } from 'vitest'
import { ignoreCaseTester } from './ignore-case.js'

describe('equals-ignore-case folding', () => {
  const equal = (pattern: string, value: string): boolean => ignoreCaseTester([pattern], 'whole')(value)

  test('folds each pattern character to its lower or upper case', () => {
    expect(equal('alice', 'ALICE')).toBe(true)
    expect(equal('alice', 'aLiCe')).toBe(true)
    expect(equal('alice', 'alicex')).toBe(false)
    expect(equal('ÀÉ', 'àé')).toBe(true)
  })

  test('uses the pattern side only: ß upper-cases to SS, but SS does not lower-case to ß', () => {
    expect(equal('straße', 'STRASSE')).toBe(true)
    expect(equal('STRASSE', 'straße')).toBe(false)
  })

  test('regex metacharacters in the value are literal', () => {
    expect(equal('a.b*(c)', 'A.B*(C)')).toBe(true)
    expect(equal('a.b', 'axb')).toBe(false)
  })

  test('prefix and suffix anchors', () => {
    expect(ignoreCaseTester(['EventB'], 'prefix')('eventbridge')).toBe(true)
    expect(ignoreCaseTester(['EventB'], 'prefix')('my-eventbridge')).toBe(false)
    expect(ignoreCaseTester(['.png'], 'suffix')('IMAGE.PNG')).toBe(true)
    expect(ignoreCaseTester([''], 'prefix')('anything')).toBe(true)
  })

  test('a list matches any of its values', () => {
    const t = ignoreCaseTester(['initializing', 'stopped'], 'whole')
    expect(t('Stopped')).toBe(true)
    expect(t('running')).toBe(false)
  })
})

describe('linear-time claim behind the folded regex', () => {
  test('for every UTF-16 unit with a case, lower and upper start with different units', () => {
    const shared: number[] = []
    for (let c = 0; c < 0x10000; c++) {
      const s = String.fromCharCode(c)
      const lower = s.toLowerCase()
      const upper = s.toUpperCase()
      if (lower !== upper && lower[0] === upper[0]) shared.push(c)
    }
    expect(shared).toEqual([])
  })
})
