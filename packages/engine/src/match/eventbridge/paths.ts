/**
 * Finding the leaves of an event at a pattern path. event-ruler flattens an event into `a.b.c` paths, so a pattern
 * path `detail.state.status` reaches `{"detail":{"state":{"status":…}}}` and `{"detail":{"state.status":…}}` alike
 * (AWS confirms both). Rather than flatten every event, a path is compiled into the keys that can stand at each level:
 * every split of the remaining path at a dot. Arrays are looked through; each array of objects crossed on the way is
 * recorded with the element index, so that the matcher can refuse combinations of leaves from different elements of
 * the same array, as AWS does ("array consistency").
 */
import { JsonNumberText } from './numbers.js'
import type { Leaf } from './values.js'

/** The array elements a leaf sits in, innermost first. Shared by every leaf under the same element. */
export interface Membership {
  readonly array: readonly unknown[]
  readonly index: number
  readonly next: Membership | null
}

export interface CompiledPath {
  readonly text: string
  /** keys[j][i]: the key that spans dot-separated parts j..j+i of the path; the last one of each row is the rest. */
  readonly keys: readonly (readonly string[])[]
}

export function compilePath(text: string): CompiledPath {
  const starts = [0]
  const ends: number[] = []
  for (let i = text.indexOf('.'); i >= 0; i = text.indexOf('.', i + 1)) {
    ends.push(i)
    starts.push(i + 1)
  }
  ends.push(text.length)
  const keys = starts.map((s, j) => ends.slice(j).map((e) => text.slice(s, e)))
  return { text, keys }
}

/** The leaves found at one path in one event. */
export class Leaves {
  readonly values: Leaf[] = []
  /** Parallel to `values`; null while no leaf sits inside an array of objects (the common case). */
  members: (Membership | null)[] | null = null

  push(value: Leaf, mem: Membership | null): void {
    if (mem !== null && this.members === null) this.members = this.values.map(() => null)
    this.values.push(value)
    this.members?.push(mem)
  }

  memberOf(i: number): Membership | null {
    return this.members === null ? null : (this.members[i] ?? null)
  }
}

/**
 * Reads an own property of parsed JSON. What an object inherits is either a function or, for `__proto__`, the
 * prototype, so only that one key needs the (measurably slower) own-property check.
 */
function own(obj: Record<string, unknown>, key: string): unknown {
  const v = obj[key]
  if (typeof v === 'function' || (key === '__proto__' && !Object.hasOwn(obj, key))) return undefined
  return v
}

/** Collects the leaves of `event` at `path`. Plain functions, not closures: this runs per field per event. */
export function collectLeaves(event: unknown, path: CompiledPath): Leaves {
  const out = new Leaves()
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
    visit(event as Record<string, unknown>, path, 0, null, out)
  }
  return out
}

function visit(obj: Record<string, unknown>, path: CompiledPath, part: number, mem: Membership | null, out: Leaves): void {
  const row = path.keys[part] as readonly string[]
  const last = path.keys.length - 1
  for (let i = 0; i < row.length; i++) {
    const key = row[i] as string
    const v = own(obj, key)
    if (v === undefined) continue
    if (part + i === last) terminal(v, mem, out)
    else descend(v, path, part + i + 1, mem, out)
  }
}

function descend(v: unknown, path: CompiledPath, part: number, mem: Membership | null, out: Leaves): void {
  if (typeof v !== 'object' || v === null || v instanceof JsonNumberText) return
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) descend(v[i], path, part, { array: v, index: i, next: mem }, out)
  } else visit(v as Record<string, unknown>, path, part, mem, out)
}

// NOTE: elements of an array AT the path (an array of values, not of objects) are not recorded as memberships. Only
// this one field can reach them, so no other field's leaf can conflict with them, and skipping them keeps the
// common `["a","b"]` case free of the consistency search.
function terminal(v: unknown, mem: Membership | null, out: Leaves): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) terminal(v[i], mem, out)
  } else if (typeof v !== 'object' || v === null || v instanceof JsonNumberText) {
    out.push(v as Leaf, mem)
  }
}

/** probe() result bits. */
export const SEEN = 1
export const HIT = 2
/** The path crosses an array of objects: array consistency may matter, so the caller must collect leaves instead. */
export const CROSSES_ARRAY = 4

/**
 * The fast path of matching: walks `path` in `event` testing leaves as it finds them, without collecting them.
 * Returns SEEN | HIT bits, or CROSSES_ARRAY as soon as an array of objects is crossed.
 */
export function probe(event: Record<string, unknown>, path: CompiledPath, test: (leaf: Leaf) => boolean): number {
  return probeObject(event, path, 0, test)
}

function probeObject(obj: Record<string, unknown>, path: CompiledPath, part: number, test: (leaf: Leaf) => boolean): number {
  const row = path.keys[part] as readonly string[]
  const last = path.keys.length - 1
  let r = 0
  for (let i = 0; i < row.length; i++) {
    const key = row[i] as string
    const v = own(obj, key)
    if (v === undefined) continue
    if (part + i === last) r |= probeTerminal(v, test)
    else if (typeof v === 'object' && v !== null && !(v instanceof JsonNumberText)) {
      if (Array.isArray(v)) return CROSSES_ARRAY
      r |= probeObject(v as Record<string, unknown>, path, part + i + 1, test)
    }
    if (r & (HIT | CROSSES_ARRAY)) return r
  }
  return r
}

function probeTerminal(v: unknown, test: (leaf: Leaf) => boolean): number {
  if (Array.isArray(v)) {
    let r = 0
    for (let i = 0; i < v.length && !(r & HIT); i++) r |= probeTerminal(v[i], test)
    return r
  }
  if (typeof v === 'object' && v !== null && !(v instanceof JsonNumberText)) return 0
  return test(v as Leaf) ? SEEN | HIT : SEEN
}
