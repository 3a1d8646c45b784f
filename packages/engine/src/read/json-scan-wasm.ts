import { ALLOWED, FAULT, faultReason, MORE, OUT, ValueScanner, type WalkState } from './json-scan.js'
import { WASM_BASE64 } from './json-scan-module.gen.js'

/**
 * The record walk of `ValueScanner`, run by a WebAssembly module (`json-scan.wat`) with the same results for the
 * same calls: the walk reads every byte of every record, and in JS it cost a quarter of a scan's CPU. A buffer
 * is copied into the module's memory once, on its first call (the splitter calls once per record of a chunk),
 * a long one a window at a time, and each call walks as far as the value goes. Where WebAssembly (with SIMD) is
 * not available, or memory cannot be had, the JS walk carries on from the same state.
 */
export interface Walker {
  begin(): void
  scan(b: Buffer, from: number, to: number): number
  readonly faultAt: number
  readonly reason: string
}

/** The one walker of a splitter: the WebAssembly one when this runtime can run it, else the JS one. */
export function createWalker(): Walker {
  const m = wasmModule()
  if (m) {
    try {
      return new WasmWalker(m)
    } catch {
      // No memory for an instance: the JS walk does the same.
    }
  }
  return new ValueScanner()
}

// The few WebAssembly declarations used here; the project's lib has no DOM types and `WebAssembly` may be absent
// (node --jitless).
interface WasmGlobal {
  value: number
}
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmExports {
  memory: WasmMemory
  begin(): void
  scan(from: number, to: number, more: number, fresh: number): number
  setLayout(cap: number, buf: number): void
  cap: WasmGlobal
  buf: WasmGlobal
  faultAt: WasmGlobal
  faultCode: WasmGlobal
  resumeAt: WasmGlobal
  depth: WasmGlobal
  want: WasmGlobal
  inString: WasmGlobal
  escaped: WasmGlobal
  isKey: WasmGlobal
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}

const GROW = -3
const NEED = -4
const PAGE = 65536
const STACK_AT = 1024
const TABLES_AT = 0
const ALLOWED_AT = 256
/** Bytes after the data that 16-byte loads may read. */
const SLACK = 32

let compiled: object | null | undefined

/** The compiled module, or null when this runtime cannot compile it (no WebAssembly, no SIMD). */
export function wasmModule(): object | null {
  if (compiled === undefined) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
    try {
      compiled = api ? new api.Module(Buffer.from(WASM_BASE64, 'base64')) : null
    } catch {
      compiled = null
    }
  }
  return compiled
}

/**
 * One instance of the module serves every walker: an instance reserves its own memory (and address space), which
 * per object read cost more than the walk saved. The walker that used it last leaves its state in it; another
 * walker parks that state (a few numbers and the open brackets) before it takes over. Walkers take turns between
 * chunks, never inside one (a chunk is split in one synchronous call), so a chunk is copied in once.
 */
class Instance {
  readonly x: WasmExports
  bytes: Uint8Array
  /** The buffer whose bytes [ws, we) are in memory. */
  loaded: Buffer | undefined
  ws = 0
  we = 0
  owner: WasmWalker | undefined

  constructor(module: object) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!
    this.x = new api.Instance(module, {}).exports as WasmExports
    this.bytes = new Uint8Array(this.x.memory.buffer)
    this.bytes.set(OUT, TABLES_AT)
    this.bytes.set(ALLOWED, ALLOWED_AT)
  }

  /**
   * Copies b[from, from + size), or all of b when it is not longer, into memory; false when memory cannot have
   * it. A window, not the whole buffer: a one-shot object is inflated into one buffer of tens of megabytes, and
   * memory the module has grown is never given back.
   */
  load(b: Buffer, from: number, size: number): boolean {
    this.loaded = undefined
    const ws = b.length <= size ? 0 : from
    const we = b.length <= size ? b.length : Math.min(b.length, from + size)
    if (!this.reserve(this.x.buf.value + (we - ws) + SLACK)) return false
    this.bytes.set(b.subarray(ws, we), this.x.buf.value)
    this.loaded = b
    this.ws = ws
    this.we = we
    return true
  }

  holds(b: Buffer, from: number): boolean {
    return this.loaded === b && from >= this.ws && (from < this.we || this.we === b.length)
  }

  reserve(bytes: number): boolean {
    const have = this.x.memory.buffer.byteLength
    if (bytes <= have) return true
    try {
      this.x.memory.grow(Math.ceil((bytes - have) / PAGE))
    } catch {
      return false
    }
    this.bytes = new Uint8Array(this.x.memory.buffer)
    return true
  }

  /** Doubles the bracket stack (it sits below the buffer), then puts the buffer back above it. */
  growStack(maxDepth: number): boolean {
    const cap = this.x.cap.value * 2
    if (cap > maxDepth) return false
    const at = STACK_AT + cap
    const held = this.loaded ? this.we - this.ws : 0
    if (!this.reserve(at + held + SLACK)) return false
    this.x.setLayout(cap, at)
    if (this.loaded) this.bytes.set(this.loaded.subarray(this.ws, this.we), at)
    return true
  }

  saveState(): WalkState {
    const depth = this.x.depth.value
    return {
      stack: this.bytes.slice(STACK_AT, STACK_AT + depth),
      depth,
      inString: this.x.inString.value !== 0,
      escaped: this.x.escaped.value !== 0,
      want: this.x.want.value,
      isKey: this.x.isKey.value !== 0,
    }
  }

  restoreState(s: WalkState, maxDepth: number): boolean {
    while (this.x.cap.value < s.depth) if (!this.growStack(maxDepth)) return false
    this.bytes.set(s.stack.subarray(0, s.depth), STACK_AT)
    this.x.depth.value = s.depth
    this.x.inString.value = s.inString ? 1 : 0
    this.x.escaped.value = s.escaped ? 1 : 0
    this.x.want.value = s.want
    this.x.isKey.value = s.isKey ? 1 : 0
    return true
  }
}

const instances = new WeakMap<object, Instance>()

export class WasmWalker implements Walker {
  private readonly w: Instance
  /** This walker's state while another one uses the instance. */
  private parked: WalkState | undefined
  /** Set while a value is walked by the JS walker (a buffer too big for the module's memory). */
  private js: ValueScanner | undefined
  /**
   * Set by begin() until the module's first step of the value, which starts it afresh: one call into the module
   * per record instead of two.
   */
  private fresh = false
  faultAt = -1
  reason = ''

  constructor(
    module: object,
    /**
     * The largest window of a buffer copied into the module's memory; a step needing more (a string of more
     * than 16 MiB) is walked in JS. The instance lives as long as the process and its memory never shrinks, so
     * one hostile object must not grow it for good.
     */
    private readonly maxWindow = 1 << 24,
    /** The bytes copied at a time from a longer buffer. */
    private readonly window = 1 << 20,
    /** The deepest nesting the module's stack holds (a byte per bracket), for the same reason; deeper is walked in JS. */
    private readonly maxDepth = 1 << 24,
  ) {
    let w = instances.get(module)
    if (!w) instances.set(module, (w = new Instance(module)))
    this.w = w
  }

  begin(): void {
    this.js = undefined
    this.parked = undefined
    this.take()
    this.fresh = true
    this.faultAt = -1
    this.reason = ''
  }

  scan(b: Buffer, from: number, to: number): number {
    const w = this.w
    if (!this.js) this.take()
    let size = this.window
    for (;;) {
      if (!this.js && !w.holds(b, from) && !(size <= this.maxWindow && w.load(b, from, size))) this.toJs()
      if (this.js) {
        // Back to the module with the next buffer, from the state the JS walk left.
        const r = this.js.scan(b, from, to)
        this.faultAt = this.js.faultAt
        this.reason = this.js.reason
        if (r === MORE) {
          this.take()
          if (w.restoreState(this.js.saveState(), this.maxDepth)) this.js = undefined
        }
        return r
      }
      const end = Math.min(to, w.we)
      const more = end < to ? 1 : 0
      let r = w.x.scan(from - w.ws, end - w.ws, more, this.fresh ? 1 : 0)
      this.fresh = false
      while (r === GROW && w.growStack(this.maxDepth)) r = w.x.scan(w.x.resumeAt.value, end - w.ws, more, 0)
      if (r === GROW || r === NEED) {
        const next = w.x.resumeAt.value + w.ws
        if (r === GROW) {
          this.toJs()
        } else {
          // Little progress: one step needs more than a window (a long string); it gets a window twice as long.
          size = next - w.ws < (w.we - w.ws) / 2 ? (w.we - w.ws) * 2 : this.window
          w.loaded = undefined
        }
        from = next
        continue
      }
      if (r === FAULT) {
        this.faultAt = w.x.faultAt.value + w.ws
        this.reason = faultReason(w.x.faultCode.value, b[this.faultAt]!)
        return r
      }
      return r >= 0 ? r + w.ws : r
    }
  }

  /** Makes the instance hold this walker's state. */
  private take(): void {
    const w = this.w
    if (w.owner === this) return
    if (w.owner) w.owner.parked = w.saveState()
    w.owner = this
    if (this.parked) {
      // A state that fit before fits again, unless memory ran out meanwhile: then the JS walk goes on with it.
      if (!w.restoreState(this.parked, this.maxDepth)) {
        this.js = this.jsWalker(this.parked)
        w.owner = undefined
      }
      this.parked = undefined
    }
  }

  private toJs(): void {
    this.js = this.jsWalker(this.w.saveState())
  }

  /** A JS walker going on from `state`, or, before the module's first step of a value, starting it. */
  private jsWalker(state: WalkState): ValueScanner {
    const js = new ValueScanner()
    if (this.fresh) this.fresh = false
    else js.restoreState(state)
    return js
  }
}
