import { fieldAt, obj, str } from '../../record.js'

/** CloudTrail renders one XML element as an object and several as an array; callers want a list either way. */
export function asList(x: unknown): unknown[] {
  if (x === undefined || x === null) return []
  return Array.isArray(x) ? x : [x]
}

export function strings(x: unknown): string[] {
  return asList(x).filter((v): v is string => typeof v === 'string')
}

/** A nested field by path segments (record.ts's fieldAt). */
export function field(x: unknown, ...path: string[]): unknown {
  return fieldAt(x, path)
}

export { obj, str }
