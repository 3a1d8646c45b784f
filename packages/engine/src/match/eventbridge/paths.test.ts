import { describe, expect, test } from 'vitest'
import { CROSSES_ARRAY, HIT, SEEN, collectLeaves, compilePath, probe } from './paths.js'

describe('compilePath', () => {
  test('lists, for each part, every key that can stand there', () => {
    expect(compilePath('a.b.c').keys).toEqual([['a', 'a.b', 'a.b.c'], ['b', 'b.c'], ['c']])
    expect(compilePath('a..b').keys).toEqual([['a', 'a.', 'a..b'], ['', '.b'], ['b']])
  })
})

describe('collectLeaves', () => {
  test('finds leaves through nesting, dotted keys and arrays, never objects', () => {
    const event = { a: { b: [1, [2, null], { c: 3 }] }, 'a.b': 'x' }
    expect(collectLeaves(event, compilePath('a.b')).values).toEqual([1, 2, null, 'x'])
  })

  test('records the array element of leaves reached through arrays of objects, shared per element', () => {
    const arr = [{ x: 1, y: 2 }, { x: 3 }]
    const x = collectLeaves({ arr }, compilePath('arr.x'))
    const y = collectLeaves({ arr }, compilePath('arr.y'))
    expect(x.values).toEqual([1, 3])
    expect(x.memberOf(0)).toMatchObject({ array: arr, index: 0, next: null })
    expect(x.memberOf(1)).toMatchObject({ array: arr, index: 1 })
    expect(y.memberOf(0)?.index).toBe(0)
    expect(collectLeaves({ a: [1, 2] }, compilePath('a')).members).toBeNull()
  })
})

describe('probe', () => {
  const isTwo = (v: unknown): boolean => v === 2
  test('reports seen and hit leaves, and stops at the first array of objects', () => {
    expect(probe({ a: { b: 2 } }, compilePath('a.b'), isTwo)).toBe(SEEN | HIT)
    expect(probe({ a: { b: 1 } }, compilePath('a.b'), isTwo)).toBe(SEEN)
    expect(probe({ a: { c: 1 } }, compilePath('a.b'), isTwo)).toBe(0)
    expect(probe({ a: [1, 2] }, compilePath('a'), isTwo)).toBe(SEEN | HIT)
    expect(probe({ a: [{ b: 2 }] }, compilePath('a.b'), isTwo)).toBe(CROSSES_ARRAY)
  })
})
