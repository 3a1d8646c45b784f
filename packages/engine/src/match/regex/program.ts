/**
 * Compiles a RegexNode into a flat instruction list for the simulation in linear-regex.ts. `{m,n}` is expanded into
 * copies, so the size is bounded before anything is built: a rule cannot make compilation, or each step of a match,
 * arbitrarily expensive.
 */
import type { CharSet, RegexFlags, RegexNode } from './ast.js'

/** Instructions a program may hold after expanding repetitions; each costs one slot per step of a match. */
export const MAX_PROGRAM_SIZE = 10_000

export const enum Op {
  /** Consume one unit if it is in the set `arg`. */
  Unit,
  /** Continue at both `arg` and `arg2`. */
  Split,
  Jump,
  LineStart,
  LineEnd,
  Match,
}

/** A code-unit test: a table for ASCII, a function for the rest. */
export interface UnitTest {
  readonly ascii: Uint8Array
  readonly other: (c: number) => boolean
  /** The one unit the set holds, when it is a plain case-exact literal. */
  readonly single: number | undefined
}

export interface Program {
  readonly op: Uint8Array
  readonly arg: Int32Array
  readonly arg2: Int32Array
  readonly sets: readonly UnitTest[]
  readonly multiline: boolean
}

export class RegexTooLargeError extends Error {}

/** Instruction count of `node` once compiled; stops counting once past the bound. */
function size(node: RegexNode): number {
  switch (node.kind) {
    case 'empty':
      return 0
    case 'set':
    case 'dot':
    case 'lineStart':
    case 'lineEnd':
      return 1
    case 'concat':
      return node.items.reduce((n, i) => Math.min(n + size(i), MAX_PROGRAM_SIZE + 1), 0)
    case 'alt':
      return node.items.reduce((n, i) => Math.min(n + size(i) + 2, MAX_PROGRAM_SIZE + 1), 0)
    case 'repeat': {
      const one = size(node.node)
      const copies = node.max === Infinity ? node.min + 1 : node.max
      return Math.min(copies * (one + 2), MAX_PROGRAM_SIZE + 1)
    }
  }
}

const LINE_TERMINATORS: readonly number[] = [0x0a, 0x0d, 0x2028, 0x2029]

export function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029
}

function unitTest(set: CharSet, ignoreCase: boolean): UnitTest {
  const inRanges = (c: number): boolean => set.ranges.some(([lo, hi]) => c >= lo && c <= hi)
  const folded = ignoreCase
    ? (c: number): boolean => {
        if (inRanges(c)) return true
        const s = String.fromCharCode(c)
        const lower = s.toLowerCase()
        const upper = s.toUpperCase()
        // Simple case mapping only: a unit whose case is several units (ß → SS) compares as itself.
        return (lower.length === 1 && inRanges(lower.charCodeAt(0))) || (upper.length === 1 && inRanges(upper.charCodeAt(0)))
      }
    : inRanges
  const other = set.negated ? (c: number) => !folded(c) : folded
  const ascii = new Uint8Array(128)
  for (let c = 0; c < 128; c++) ascii[c] = other(c) ? 1 : 0
  const [only] = set.ranges
  const single = !set.negated && !ignoreCase && set.ranges.length === 1 && only !== undefined && only[0] === only[1] ? only[0] : undefined
  return { ascii, other, single }
}

export function compileProgram(root: RegexNode, flags: RegexFlags = {}): Program {
  if (size(root) > MAX_PROGRAM_SIZE) {
    throw new RegexTooLargeError(`regular expression is too large: more than ${MAX_PROGRAM_SIZE} steps once repetitions are expanded`)
  }
  const op: number[] = []
  const arg: number[] = []
  const arg2: number[] = []
  const sets: UnitTest[] = []
  const ignoreCase = flags.ignoreCase === true
  const dot = unitTest(
    { ranges: flags.dotAll === true ? [[0, 0xffff]] : LINE_TERMINATORS.map((c) => [c, c] as const), negated: flags.dotAll !== true },
    false,
  )
  const emit = (o: Op, a = 0, b = 0): number => {
    op.push(o)
    arg.push(a)
    arg2.push(b)
    return op.length - 1
  }
  const gen = (node: RegexNode): void => {
    switch (node.kind) {
      case 'empty':
        return
      case 'set':
        sets.push(unitTest(node.set, ignoreCase))
        emit(Op.Unit, sets.length - 1)
        return
      case 'dot':
        sets.push(dot)
        emit(Op.Unit, sets.length - 1)
        return
      case 'lineStart':
        emit(Op.LineStart)
        return
      case 'lineEnd':
        emit(Op.LineEnd)
        return
      case 'concat':
        for (const item of node.items) gen(item)
        return
      case 'alt': {
        // split L1, next; L1: item; jmp end; next: split L2, … ; the last item needs no split.
        const jumps: number[] = []
        node.items.forEach((item, i) => {
          if (i === node.items.length - 1) {
            gen(item)
            return
          }
          const split = emit(Op.Split, op.length + 1)
          gen(item)
          jumps.push(emit(Op.Jump))
          arg2[split] = op.length
        })
        for (const j of jumps) arg[j] = op.length
        return
      }
      case 'repeat': {
        for (let i = 0; i < node.min; i++) gen(node.node)
        if (node.max === Infinity) {
          // loop: split body, out; body; jmp loop
          const loop = emit(Op.Split, op.length + 1)
          gen(node.node)
          emit(Op.Jump, loop)
          arg2[loop] = op.length
          return
        }
        // Optional copies: each split skips the rest at once.
        const splits: number[] = []
        for (let i = node.min; i < node.max; i++) {
          splits.push(emit(Op.Split, op.length + 1))
          gen(node.node)
        }
        for (const s of splits) arg2[s] = op.length
        return
      }
    }
  }
  gen(root)
  emit(Op.Match)
  return {
    op: Uint8Array.from(op),
    arg: Int32Array.from(arg),
    arg2: Int32Array.from(arg2),
    sets,
    multiline: flags.multiline === true,
  }
}
