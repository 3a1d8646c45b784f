/**
 * A regular-expression search that runs in O(|text| × |program|) time whatever the pattern: all the places the
 * pattern could be at are advanced together over the text, one unit at a time (a Thompson NFA simulation, as a
 * Pike VM without captures). Nothing is ever retried, so there is no backtracking to blow up; the price is a
 * constant factor over V8's RegExp where V8 would not backtrack (2–16× on realistic CWL patterns; README, "Writing
 * rules"). A literal prefix is found with indexOf, and threads start only where it occurs.
 */
import type { RegexFlags, RegexNode } from './ast.js'
import { Op, compileProgram, isLineTerminator, type Program } from './program.js'

export class LinearRegex {
  private readonly program: Program
  /** Per instruction, the step at which it was last added: dedupes threads without clearing anything. */
  private readonly mark: Int32Array
  private current: Int32Array
  private next: Int32Array
  private readonly stack: Int32Array
  private stamp = 0
  /** When no thread is alive, the text a match must start with, to skip ahead with indexOf ('' when none). */
  private readonly prefix: string
  /** The whole pattern is that literal text. */
  private readonly onlyPrefix: boolean
  /** Matches can start only at 0. */
  private readonly anchored: boolean
  /**
   * Per instruction, the Unit instructions reachable from it without consuming anything (-1 for Match), when that
   * does not depend on the position (no assertion on the way) and is short; else undefined: addThread walks it.
   */
  private readonly closures: (Int32Array | undefined)[]

  constructor(root: RegexNode, flags: RegexFlags = {}) {
    this.program = compileProgram(root, flags)
    const n = this.program.op.length
    this.mark = new Int32Array(n)
    this.current = new Int32Array(n)
    this.next = new Int32Array(n)
    // Each instruction is pushed at most twice per closure (a split pushes two), so 2n + 1 slots suffice.
    this.stack = new Int32Array(2 * n + 1)
    const { prefix, whole } = literalPrefix(this.program)
    this.prefix = prefix
    this.onlyPrefix = whole && prefix !== ''
    this.anchored = anchoredAtStart(this.program)
    this.closures = staticClosures(this.program)
  }

  /** Whether the pattern matches somewhere in `text` (an unanchored search, like RegExp.prototype.test). */
  test(text: string): boolean {
    if (this.onlyPrefix) return text.includes(this.prefix)
    const { op, arg, sets } = this.program
    const mark = this.mark
    const len = text.length
    const plen = this.prefix.length
    // With a literal prefix, threads start only where it occurs, already past it (at instruction `plen`).
    let occ = plen > 0 ? text.indexOf(this.prefix) : 0
    if (occ < 0) return false
    let pos = occ + plen
    this.stamp++
    if (this.addThread(plen, pos, text, this.current, 0) < 0) return true
    let count = this.lastCount
    if (plen > 0) occ = text.indexOf(this.prefix, occ + 1)
    for (; pos < len; pos++) {
      const c = text.charCodeAt(pos)
      this.stamp++
      const next = this.next
      let nextCount = 0
      for (let t = 0; t < count; t++) {
        const pc = this.current[t] as number
        // Only Unit instructions are kept in a list: every other one was followed when the thread was added.
        const set = sets[arg[pc] as number]!
        if (c < 128 ? set.ascii[c] === 1 : set.other(c)) {
          const to = pc + 1
          // The common step, one unit to the next: no closure to follow.
          if (op[to] === Op.Unit) {
            if (mark[to] !== this.stamp) {
              mark[to] = this.stamp
              next[nextCount++] = to
            }
            continue
          }
          const closure = this.closures[to]
          if (closure !== undefined) {
            for (let k = 0; k < closure.length; k++) {
              const u = closure[k] as number
              if (u < 0) return true
              if (mark[u] !== this.stamp) {
                mark[u] = this.stamp
                next[nextCount++] = u
              }
            }
            continue
          }
          if (this.addThread(to, pos + 1, text, next, nextCount) < 0) return true
          nextCount = this.lastCount
        }
      }
      const at = pos + 1
      if (plen > 0) {
        if (occ >= 0 && occ + plen === at) {
          if (this.addThread(plen, at, text, next, nextCount) < 0) return true
          nextCount = this.lastCount
          occ = text.indexOf(this.prefix, occ + 1)
        } else if (nextCount === 0) {
          // No thread alive: jump to where the next occurrence of the prefix ends.
          if (occ < 0) return false
          pos = occ + plen
          this.stamp++
          if (this.addThread(plen, pos, text, this.current, 0) < 0) return true
          count = this.lastCount
          occ = text.indexOf(this.prefix, occ + 1)
          pos--
          continue
        }
      } else if (!this.anchored) {
        if (this.addThread(0, at, text, next, nextCount) < 0) return true
        nextCount = this.lastCount
      } else if (nextCount === 0) {
        return false
      }
      this.next = this.current
      this.current = next
      count = nextCount
    }
    return false
  }

  private lastCount = 0

  /**
   * Adds the thread at `start` and everything reachable from it without consuming a unit to `list`; returns -1 as
   * soon as Match is reachable (the search is then over), else the new count is in lastCount.
   */
  private addThread(start: number, pos: number, text: string, list: Int32Array, count: number): number {
    const { op, arg, arg2, multiline } = this.program
    const mark = this.mark
    const stamp = this.stamp
    const stack = this.stack
    let sp = 0
    stack[sp++] = start
    while (sp > 0) {
      const pc = stack[--sp] as number
      if (mark[pc] === stamp) continue
      mark[pc] = stamp
      switch (op[pc]) {
        case Op.Unit:
          list[count++] = pc
          break
        case Op.Match:
          return -1
        case Op.Jump:
          stack[sp++] = arg[pc] as number
          break
        case Op.Split:
          stack[sp++] = arg2[pc] as number
          stack[sp++] = arg[pc] as number
          break
        case Op.LineStart:
          if (pos === 0 || (multiline && isLineTerminator(text.charCodeAt(pos - 1)))) stack[sp++] = pc + 1
          break
        case Op.LineEnd:
          if (pos === text.length || (multiline && isLineTerminator(text.charCodeAt(pos)))) stack[sp++] = pc + 1
          break
      }
    }
    this.lastCount = count
    return count
  }
}

/**
 * The literal text every match must begin with, when the program starts with plain literal units (no split or
 * assertion before them): then the search jumps between its occurrences with indexOf, and a program that is only
 * that literal is answered by indexOf alone.
 */
function literalPrefix(p: Program): { prefix: string; whole: boolean } {
  let prefix = ''
  let pc = 0
  while (p.op[pc] === Op.Unit) {
    const single = p.sets[p.arg[pc] as number]?.single
    if (single === undefined) break
    prefix += String.fromCharCode(single)
    pc++
  }
  return { prefix, whole: p.op[pc] === Op.Match }
}

/** Whether every path from the start meets `^` before consuming anything: without the multiline flag, no match can start after 0. */
function anchoredAtStart(p: Program): boolean {
  if (p.multiline) return false
  const seen = new Set<number>()
  const stack = [0]
  while (stack.length > 0) {
    const pc = stack.pop() as number
    if (seen.has(pc)) continue
    seen.add(pc)
    switch (p.op[pc]) {
      case Op.LineStart:
        break
      case Op.Jump:
        stack.push(p.arg[pc] as number)
        break
      case Op.Split:
        stack.push(p.arg[pc] as number, p.arg2[pc] as number)
        break
      case Op.LineEnd:
        stack.push(pc + 1)
        break
      default:
        return false
    }
  }
  return true
}

/** Longest closure kept precomputed; longer ones are walked each time (bounds the table at 32 × program size). */
const MAX_STATIC_CLOSURE = 32

function staticClosures(p: Program): (Int32Array | undefined)[] {
  const out = new Array<Int32Array | undefined>(p.op.length)
  const seen = new Int32Array(p.op.length).fill(-1)
  for (let start = 0; start < p.op.length; start++) {
    if (p.op[start] === Op.Unit) continue
    const found: number[] = []
    const stack = [start]
    let ok = true
    while (ok && stack.length > 0) {
      const pc = stack.pop() as number
      if (seen[pc] === start) continue
      seen[pc] = start
      switch (p.op[pc]) {
        case Op.Unit:
          found.push(pc)
          break
        case Op.Match:
          found.push(-1)
          break
        case Op.Jump:
          stack.push(p.arg[pc] as number)
          break
        case Op.Split:
          stack.push(p.arg2[pc] as number, p.arg[pc] as number)
          break
        default:
          ok = false // an assertion: depends on the position
      }
      if (found.length > MAX_STATIC_CLOSURE) ok = false
    }
    if (ok) out[start] = Int32Array.from(found)
  }
  return out
}
