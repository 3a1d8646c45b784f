import { ALLOWED, FAULT, type Fault, faultReason, MORE, OUT, ValueScanner, type WalkState } from './json-scan.js'
import { WASM_BASE64 } from './json-scan-module.gen.js'

/**
 * The record walk of `ValueScanner`, run by a WebAssembly module (`json-scan.wat`) with the same results for the
 * same calls: the walk reads every byte of every record, and in JS it cost a quarter of a scan's CPU. A buffer
 * is copied into the module's memory once, on its first call (the splitter calls once per record of a chunk),
 * and each call walks as far as the value goes. Where WebAssembly (with SIMD) is not available, or a buffer
 * cannot be given memory, the JS walk carries on from the same state.
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
  return m ? new WasmWalker(m) : new ValueScanner()
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
  scan(from: number, to: number): number
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
  /** The buffer whose bytes are in memory. */
  loaded: Buffer | undefined
  owner: WasmWalker | undefined

  constructor(module: object) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!
    this.x = new api.Instance(module, {}).exports as WasmExports
    this.bytes = new Uint8Array(this.x.memory.buffer)
    this.bytes.set(OUT, TABLES_AT)
    this.bytes.set(ALLOWED, ALLOWED_AT)
  }

  /** Copies b into memory; false when it cannot have that much. */
  load(b: Buffer, maxCopy: number): boolean {
    this.loaded = undefined
    if (b.length > maxCopy) return false
    const at = this.x.buf.value
    if (!this.reserve(at + b.length + SLACK)) return false
    this.bytes.set(b, at)
    this.loaded = b
    return true
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
  growStack(b: Buffer | undefined): boolean {
    const cap = this.x.cap.value * 2
    const at = STACK_AT + cap
    if (!this.reserve(at + (b?.length ?? 0) + SLACK)) return false
    this.x.setLayout(cap, at)
    this.loaded = undefined
    if (b) {
      this.bytes.set(b, at)
      this.loaded = b
    }
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

  restoreState(s: WalkState): boolean {
    while (this.x.cap.value < s.depth) if (!this.growStack(undefined)) return false
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
  faultAt = -1
  reason = ''

  constructor(
    module: object,
    /** The largest buffer copied into the module's memory; longer ones are walked in JS. */
    private readonly maxCopy = 1 << 30,
  ) {
    let w = instances.get(module)
    if (!w) instances.set(module, (w = new Instance(module)))
    this.w = w
  }

  begin(): void {
    this.js = undefined
    this.parked = undefined
    this.take()
    this.w.x.begin()
    this.faultAt = -1
    this.reason = ''
  }

  scan(b: Buffer, from: number, to: number): number {
    const w = this.w
    if (!this.js) this.take()
    if (!this.js && b !== w.loaded && !w.load(b, this.maxCopy)) this.toJs()
    if (this.js) {
      // Back to the module with the next buffer, from the state the JS walk left.
      const r = this.js.scan(b, from, to)
      this.faultAt = this.js.faultAt
      this.reason = this.js.reason
      if (r === MORE) {
        this.take()
        if (w.restoreState(this.js.saveState())) this.js = undefined
      }
      return r
    }
    let r = w.x.scan(from, to)
    while (r === GROW) {
      if (!w.growStack(b)) {
        this.toJs()
        return this.scan(b, w.x.resumeAt.value, to)
      }
      r = w.x.scan(w.x.resumeAt.value, to)
    }
    if (r === FAULT) {
      this.faultAt = w.x.faultAt.value
      this.reason = faultReason(w.x.faultCode.value as Fault, b[this.faultAt]!)
    }
    return r
  }

  /** Makes the instance hold this walker's state. */
  private take(): void {
    const w = this.w
    if (w.owner === this) return
    if (w.owner) w.owner.parked = w.saveState()
    w.owner = this
    if (this.parked) {
      // A state that fit before fits again, unless memory ran out meanwhile: then the JS walk goes on with it.
      if (!w.restoreState(this.parked)) {
        this.js = new ValueScanner()
        this.js.restoreState(this.parked)
        w.owner = undefined
      }
      this.parked = undefined
    }
  }

  private toJs(): void {
    this.js = new ValueScanner()
    this.js.restoreState(this.w.saveState())
  }
}
