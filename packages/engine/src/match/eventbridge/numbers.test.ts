import { describe, expect, test } from 'vitest'
import { exactFloat64 } from './numbers.js'

describe('exactFloat64', () => {
  test.for([
    ['300', 300],
    ['300.0', 300],
    ['3.0e2', 300],
    ['3E+2', 300],
    ['0.1', 0.1],
    ['0.30000000000000004', 0.30000000000000004],
    ['0.000', 0],
    ['1e21', 1e21],
    ['-1.5e-7', -1.5e-7],
  ] as const)('%s is exactly a float64', ([text, value]) => {
    expect(exactFloat64(text)).toBe(value)
  })

  test.for([
    '12345678901234567890', // rounds to 12345678901234567000
    '12345678901234567891',
    '0.1000000000000000055511151231257827', // the exact binary value of 0.1, but not its shortest decimal
    '1e400',
    '-1e400',
    '9007199254740993',
  ])('%s has no exact float64 twin', (text) => {
    expect(exactFloat64(text)).toBeUndefined()
  })

  test('-0 is exactly zero (BigDecimal compares -0 and 0 equal)', () => {
    expect(exactFloat64('-0') === 0).toBe(true)
    expect(exactFloat64('-0.0e5') === 0).toBe(true)
  })

  test('rejects text that is not a JSON number', () => {
    expect(exactFloat64('0x10')).toBeUndefined()
    expect(exactFloat64('Infinity')).toBeUndefined()
    expect(exactFloat64('')).toBeUndefined()
  })
})
