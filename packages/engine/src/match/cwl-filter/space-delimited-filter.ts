/**
 * Evaluation of space-delimited patterns: split the message into fields, line them up with the pattern's slots,
 * test each slot's conditions, and report extractedValues the way TestMetricFilter does ($name for named slots,
 * $<position> for unnamed slots and fields an ellipsis absorbed).
 */
import { assertNever } from '../../errors.js'
import type { FieldCondition, FieldSlot } from './ast.js'
import type { CwlFilter, MessageResult } from './filter.js'
import { comparisonPredicate, fieldNode, type Predicate } from './values.js'
import type { WildcardMode } from './wildcard.js'

interface Fields {
  readonly values: string[]
  /** Offsets of each field's first and past-last character in the message, delimiters included. */
  readonly starts: number[]
  readonly ends: number[]
}

/**
 * Fields are separated by spaces; "characters between brackets and double quotation marks are considered single
 * fields" and are reported without the enclosing `[]`/`""` ([SD], [TMF]).
 * NOTE: runs of spaces or tabs count as one separator (AWS does not say; log formats rarely pad with spaces, and
 * empty fields would make `[a, b]` depend on formatting). An unclosed `"` or `[` is an ordinary character.
 */
export function splitFields(message: string): Fields {
  const values: string[] = []
  const starts: number[] = []
  const ends: number[] = []
  const n = message.length
  const isSep = (i: number): boolean => message[i] === ' ' || message[i] === '\t'
  let i = 0
  while (i < n && isSep(i)) i++
  while (i < n) {
    const start = i
    const ch = message[i]
    const close = ch === '"' ? message.indexOf('"', i + 1) : ch === '[' ? message.indexOf(']', i + 1) : -1
    if (close >= 0) {
      values.push(message.slice(i + 1, close))
      i = close + 1
    } else {
      while (i < n && !isSep(i)) i++
      values.push(message.slice(start, i))
    }
    starts.push(start)
    ends.push(i)
    while (i < n && isSep(i)) i++
  }
  return { values, starts, ends }
}

function compileCondition(c: FieldCondition, mode: WildcardMode): Predicate {
  switch (c.kind) {
    case 'compare':
      return comparisonPredicate(c.operator, c.value, mode)
    case 'and': {
      const parts = c.operands.map((o) => compileCondition(o, mode))
      return (v) => parts.every((p) => p(v))
    }
    case 'or': {
      const parts = c.operands.map((o) => compileCondition(o, mode))
      return (v) => parts.some((p) => p(v))
    }
    default:
      return assertNever(c)
  }
}

interface Slot {
  readonly name: string | null
  readonly test: Predicate | null
}

export class SpaceDelimitedFilter implements CwlFilter {
  readonly kind = 'space-delimited' as const
  readonly indexKeys = { eventSource: null, eventName: null } as const
  readonly literals = null
  private readonly before: readonly Slot[]
  private readonly after: readonly Slot[]
  private readonly hasEllipsis: boolean

  constructor(
    readonly text: string,
    slots: readonly FieldSlot[],
    mode: WildcardMode,
  ) {
    const compiled = (s: FieldSlot): Slot =>
      s.kind === 'field' ? { name: s.name, test: s.condition ? compileCondition(s.condition, mode) : null } : { name: null, test: null }
    const e = slots.findIndex((s) => s.kind === 'ellipsis')
    // `[]` behaves like `[...]`: it matches every event and extracts every field by position ([TMF]).
    this.hasEllipsis = e >= 0 || slots.length === 0
    this.before = (e >= 0 ? slots.slice(0, e) : slots).map(compiled)
    this.after = e >= 0 ? slots.slice(e + 1).map(compiled) : []
  }

  testMessage(message: string): MessageResult {
    const f = splitFields(message)
    const n = f.values.length
    const assigned: { slot: Slot; value: string; position: number }[] = []
    if (this.hasEllipsis) {
      if (n < this.before.length + this.after.length) return { matched: false, extractedValues: {} }
      this.before.forEach((slot, i) => assigned.push({ slot, value: f.values[i] as string, position: i + 1 }))
      const offset = n - this.after.length
      this.after.forEach((slot, j) => assigned.push({ slot, value: f.values[offset + j] as string, position: offset + j + 1 }))
    } else {
      const k = this.before.length
      if (n < k) return { matched: false, extractedValues: {} }
      // NOTE: without '...', extra words go to the last field. The current AWS doc says `[w1=ERROR, w2]` matches
      // "ERROR 09/25/2014 12:00:02 Failed to process request"; the 2021 text (exact word count) contradicts itself.
      this.before.forEach((slot, i) => {
        const value = i === k - 1 && n > k ? message.slice(f.starts[i], f.ends[n - 1]) : (f.values[i] as string)
        assigned.push({ slot, value, position: i + 1 })
      })
    }
    for (const a of assigned) if (a.slot.test !== null && !a.slot.test(fieldNode(a.value))) return { matched: false, extractedValues: {} }
    const byPosition = new Map(assigned.map((a) => [a.position, a]))
    const extractedValues: Record<string, string> = {}
    const lastPosition = this.hasEllipsis ? n : this.before.length
    for (let p = 1; p <= lastPosition; p++) {
      const a = byPosition.get(p)
      const name = a?.slot.name ?? null
      extractedValues[name === null ? `$${p}` : `$${name}`] = a ? a.value : (f.values[p - 1] as string)
    }
    return { matched: true, extractedValues }
  }

  matchRecord(_record: unknown, text: string): boolean {
    return this.testMessage(text).matched
  }
}
