import { obj, str } from '../../record.js'

/** CloudTrail renders one XML element as an object and several as an array; callers want a list either way. */
export function asList(x: unknown): unknown[] {
  if (x === undefined || x === null) return []
  return Array.isArray(x) ? x : [x]
}

export function strings(x: unknown): string[] {
  return asList(x).filter((v): v is string => typeof v === 'string')
}

/** Reads a nested field by path segments; undefined as soon as a step is not an object. */
export function field(x: unknown, ...path: string[]): unknown {
  let cur: unknown = x
  for (const p of path) {
    const o = obj(cur)
    if (!o) return undefined
    cur = o[p]
  }
  return cur
}

export { obj, str }
