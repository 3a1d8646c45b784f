import { describe, expect, it } from 'vitest'
import { FAULT, MORE, ValueScanner } from './json-scan.js'
import { createWalker, type Walker, WasmWalker, wasmModule } from './json-scan-wasm.js'
import { RecordSplitter, type SplitEvent } from './splitter.js'
import { anchorCases, concatCases, layouts } from '../../test/support/crafted-layouts.mjs'

/**
 * The WebAssembly walk must give what the JS walk (the reference) gives, call for call: the same value ends, the
 * same faults at the same bytes with the same reasons, the same "more" at every chunk end, so the splitter above
 * them reports the same records, boundaries, errors and offsets whatever the input and chunking.
 */

const module = wasmModule()

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ODD = ['\n', '\r', '\t', '\u0001', '\u001f', '\\', '"', '{', '}', '[', ']', ',', ':', 'é', '\u00ff', 'x', ' ', '\u007f']

function stringBody(rand: () => number): string {
  const long = rand() < 0.3
  const n = long ? 20 + Math.floor(rand() * 120) : Math.floor(rand() * 22)
  let s = ''
  for (let i = 0; i < n; i++) {
    const r = rand()
    if (r < 0.04) s += ['\\"', '\\\\', '\\n', '\\u0041', '\\/'][Math.floor(rand() * 5)]
    else if (r < 0.06) s += ODD[Math.floor(rand() * ODD.length)]
    else s += String.fromCharCode(0x61 + Math.floor(rand() * 26))
  }
  return `"${s}"`
}

function ws(rand: () => number): string {
  return rand() < 0.7 ? '' : [' ', '\n', '  ', '\r\n    ', '\t'][Math.floor(rand() * 5)]!
}

function value(rand: () => number, depth: number): string {
  const r = rand()
  if (depth > 4 || r < 0.35) return stringBody(rand)
  if (r < 0.45) return ['1', '-2.5e3', 'true', 'false', 'null', '0'][Math.floor(rand() * 6)]!
  const n = Math.floor(rand() * 5)
  const items: string[] = []
  if (r < 0.75) {
    for (let i = 0; i < n; i++) items.push(`${ws(rand)}${stringBody(rand)}${ws(rand)}:${ws(rand)}${value(rand, depth + 1)}${ws(rand)}`)
    return `{${items.join(',')}}`
  }
  for (let i = 0; i < n; i++) items.push(`${ws(rand)}${value(rand, depth + 1)}${ws(rand)}`)
  return `[${items.join(',')}]`
}

/** Holes, stray bytes and flipped bytes, as damage leaves them. */
function damage(text: Buffer, rand: () => number): Buffer {
  let b = text
  const n = Math.floor(rand() * 3)
  for (let i = 0; i < n && b.length > 2; i++) {
    const at = Math.floor(rand() * b.length)
    const r = rand()
    if (r < 0.35) b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + Math.floor(rand() * 40)))])
    else if (r < 0.7) b = Buffer.concat([b.subarray(0, at), Buffer.from(ODD[Math.floor(rand() * ODD.length)]!, 'latin1'), b.subarray(at)])
    else {
      b = Buffer.from(b)
      b[at] = Math.floor(rand() * 256)
    }
  }
  return b
}

function randomDocument(seed: number): Buffer {
  const rand = rng(seed)
  const records: string[] = []
  const n = 1 + Math.floor(rand() * 5)
  for (let i = 0; i < n; i++) records.push(`{"eventVersion":"1.08","eventID":"r${i}","x":${value(rand, 1)}}`)
  const gap = ws(rand)
  const text = rand() < 0.6 ? `{"Records":[${gap}${records.join(`,${gap}`)}]}` : records.join('\n') + '\n'
  return rand() < 0.7 ? damage(Buffer.from(text, 'latin1'), rand) : Buffer.from(text, 'latin1')
}

/** Each chunk its own Buffer over a shared copy, as inflate hands them over. */
function chunksAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const copy = Buffer.from(bytes)
  const out: Buffer[] = []
  let from = 0
  for (const c of [...cuts, copy.length]) {
    if (c > from) out.push(copy.subarray(from, c))
    from = Math.max(from, c)
  }
  return out
}

/** What a walker answers, call by call, when values are read one after another from the chunks, as the splitter does. */
function walkTrace(w: Walker, chunks: Buffer[]): string[] {
  const out: string[] = []
  let open = false
  let base = 0
  for (const b of chunks) {
    let p = 0
    while (p < b.length) {
      if (!open) {
        while (p < b.length && b[p] !== 0x7b && b[p] !== 0x5b && b[p] !== 0x22) p++
        if (p === b.length) break
        w.begin()
        open = true
      }
      const r = w.scan(b, p, b.length)
      if (r === MORE) {
        out.push(`more@${base + b.length}`)
        break
      }
      open = false
      if (r === FAULT) {
        out.push(`fault@${base + w.faultAt} ${w.reason}`)
        p = w.faultAt + 1
      } else {
        out.push(`end@${base + r}`)
        p = r
      }
    }
    base += b.length
  }
  return out
}

function splitEvents(chunks: Buffer[], walker: Walker): unknown[] {
  const events: unknown[] = []
  const s = new RecordSplitter(
    (e: SplitEvent) => events.push(e.kind === 'record' ? { ...e, bytes: e.bytes.toString('latin1', e.start, e.end) } : e),
    { walker },
  )
  for (const c of chunks) s.push(c)
  s.end()
  return events
}

// One of each for the whole file: a walker is reset at each value, as the splitter uses it.
const shared = { wasm: undefined as WasmWalker | undefined, js: new ValueScanner() }
const wasm = (): Walker => (shared.wasm ??= new WasmWalker(module!))
const js = (): Walker => shared.js
const windowed37 = new WasmWalker(module!, 1 << 30, 37)
const windowed64 = new WasmWalker(module!, 1 << 30, 64)

function uniformCuts(length: number, size: number): number[] {
  const cuts: number[] = []
  for (let i = size; i < length; i += size) cuts.push(i)
  return cuts
}

function randomCuts(length: number, rand: () => number): number[] {
  const cuts: number[] = []
  for (let i = 0; i < 1 + rand() * 8; i++) cuts.push(Math.floor(rand() * length))
  return cuts.sort((a, b) => a - b)
}

describe('the WebAssembly record walk', () => {
  it('runs here (Node 20 has WebAssembly SIMD), so the splitter uses it', () => {
    expect(module).not.toBeNull()
    expect(createWalker()).toBeInstanceOf(WasmWalker)
  })

  it('answers every call as the JS walk does, on random and damaged records, at every single cut', () => {
    for (let seed = 1; seed <= 150; seed++) {
      const doc = randomDocument(seed)
      for (let cut = 0; cut <= doc.length; cut += Math.ceil(doc.length / 400)) {
        const chunks = chunksAt(doc, [cut])
        expect(walkTrace(wasm(), chunks), `seed ${seed}, cut ${cut}`).toEqual(walkTrace(new ValueScanner(), chunks))
      }
    }
  })

  it('splits random and damaged inputs as the JS walk does, in every chunk size and random chunkings', () => {
    for (let seed = 1000; seed < 1400; seed++) {
      const doc = randomDocument(seed)
      const rand = rng(seed)
      const chunkings = [
        [],
        ...[1, 2, 3, 5, 8, 13, 24, 25, 31, 64].map((n) => uniformCuts(doc.length, n)),
        randomCuts(doc.length, rand),
        randomCuts(doc.length, rand),
      ]
      for (const cuts of chunkings) {
        const chunks = chunksAt(doc, cuts)
        expect(splitEvents(chunks, wasm()), `seed ${seed}, cuts ${cuts.join(',')}`).toEqual(splitEvents(chunks, js()))
      }
    }
  })

  it('splits the crafted layouts (nested anchors, concatenated documents) as the JS walk does, in every chunk size', () => {
    const cases = [...Object.values(anchorCases).flatMap((records) => Object.values(layouts(records))), ...Object.values(concatCases)]
    for (const bytes of cases) {
      for (let size = 1; size <= 48; size++) {
        const chunks = chunksAt(bytes, uniformCuts(bytes.length, size))
        expect(splitEvents(chunks, wasm())).toEqual(splitEvents(chunks, js()))
      }
    }
  })

  it('matches it on long strings: control characters, escapes and line breaks before and after the 24th byte', () => {
    const inner = ['\t', '\r', '\u0000', '\n', '\\"', '\\\\', '\\', '"']
    for (const c of inner) {
      for (let at = 0; at < 60; at += 3) {
        const s = `${'a'.repeat(at)}${c}${'b'.repeat(70 - at)}`
        const doc = Buffer.from(
          `{"Records":[{"eventVersion":"1.08","s":"${s}","t":"${'c'.repeat(100)}"},{"eventVersion":"1.08","eventID":"z"}]}`,
          'latin1',
        )
        // Cuts in and around the string; whole buffers and windows of 37 and 64 bytes.
        for (let cut = 25; cut <= 140; cut++) {
          const chunks = chunksAt(doc, [cut])
          const expected = splitEvents(chunks, js())
          for (const walker of [wasm(), windowed37, windowed64])
            expect(splitEvents(chunks, walker), `${JSON.stringify(c)} at ${at}, cut ${cut}`).toEqual(expected)
        }
      }
    }
  })

  it('matches it on a string of a megabyte with escapes and stray bytes, and on one that never ends', () => {
    const rand = rng(7)
    let s = ''
    while (s.length < 1 << 20) s += rand() < 0.001 ? ['\\"', '\\\\', '\\n', '\t'][Math.floor(rand() * 4)] : 'q'
    for (const doc of [
      Buffer.from(`{"Records":[{"eventVersion":"1.08","s":"${s}"},{"eventVersion":"1.08","eventID":"z"}]}`, 'latin1'),
      Buffer.from(`{"Records":[{"eventVersion":"1.08","s":"${'q'.repeat(1 << 20)}`, 'latin1'),
    ]) {
      for (const size of [1000, 65536, 1 << 20, doc.length]) {
        const chunks = chunksAt(doc, uniformCuts(doc.length, size))
        const expected = splitEvents(chunks, js())
        for (const walker of [wasm(), new WasmWalker(module!, 1 << 30, 4096)]) expect(splitEvents(chunks, walker)).toEqual(expected)
      }
    }
  })

  it('matches it on nesting deeper than its first stack (100 000 brackets), balanced, unbalanced and cut anywhere', () => {
    const deep = 100_000
    const good = `{"Records":[{"eventVersion":"1.08","x":${'[{"a":'.repeat(deep)}1${'}]'.repeat(deep)}},{"eventVersion":"1.08","eventID":"z"}]}`
    const bad = good.replace(`1${'}]'.repeat(10)}`, `1${'}]'.repeat(9)}]]`)
    for (const doc of [Buffer.from(good), Buffer.from(bad)]) {
      for (const cuts of [[], uniformCuts(doc.length, 65536), uniformCuts(doc.length, 4099), [Math.floor(doc.length / 2)]]) {
        const chunks = chunksAt(doc, cuts)
        const events = splitEvents(chunks, wasm())
        expect(events).toEqual(splitEvents(chunks, js()))
        expect(events.length).toBe(2)
      }
    }
  })

  it("keeps each splitter's walk apart when splitters take turns between chunks (objects read at once)", () => {
    for (let seed = 3000; seed < 3100; seed++) {
      const docs = [randomDocument(seed), randomDocument(seed + 1000), randomDocument(seed + 2000)]
      const rand = rng(seed)
      const chunked = docs.map((d) => chunksAt(d, randomCuts(d.length, rand)))
      const run = (walker: () => Walker): unknown[][] => {
        const events: unknown[][] = docs.map(() => [])
        const splitters = docs.map(
          (_, i) =>
            new RecordSplitter(
              (e: SplitEvent) => events[i]!.push(e.kind === 'record' ? { ...e, bytes: e.bytes.toString('latin1', e.start, e.end) } : e),
              { walker: walker() },
            ),
        )
        for (let k = 0; chunked.some((c) => k < c.length); k++) chunked.forEach((c, i) => c[k] && splitters[i]!.push(c[k]!))
        splitters.forEach((s) => s.end())
        return events
      }
      expect(
        run(() => new WasmWalker(module!)),
        `seed ${seed}`,
      ).toEqual(run(() => new ValueScanner()))
    }
  })

  it('gives the same answers when it copies a long buffer a window at a time, whatever the window size', () => {
    for (const size of [1, 7, 24, 31, 32, 33, 50, 64, 100]) {
      const walker = new WasmWalker(module!, 1 << 30, size)
      for (let seed = 4000; seed < 4150; seed++) {
        const doc = randomDocument(seed)
        const rand = rng(seed)
        for (const cuts of [[], randomCuts(doc.length, rand)]) {
          const chunks = chunksAt(doc, cuts)
          expect(splitEvents(chunks, walker), `window ${size}, seed ${seed}, cuts ${cuts.join(',')}`).toEqual(splitEvents(chunks, js()))
        }
      }
    }
  })

  it('walks nesting deeper than it may hold in JS, and takes the value back once it is shallow again', () => {
    const deep = 200_000
    const doc = Buffer.from(
      `{"Records":[{"eventVersion":"1.08","x":${'[{"a":'.repeat(deep)}1${'}]'.repeat(deep)}},{"eventVersion":"1.08","eventID":"z"}]}`,
    )
    for (const cuts of [[], uniformCuts(doc.length, 65536), uniformCuts(doc.length, 1000)]) {
      const chunks = chunksAt(doc, cuts)
      // The module may hold at most 65 536 open brackets (or the stack it already has): 200 000 are walked in JS.
      const capped = new WasmWalker(module!, 1 << 24, 1 << 20, 65536)
      expect(splitEvents(chunks, capped)).toEqual(splitEvents(chunks, js()))
    }
  })

  it('hands a value over to the JS walk for a buffer it does not copy, and takes it back after', () => {
    for (let seed = 2000; seed < 2200; seed++) {
      const doc = randomDocument(seed)
      const rand = rng(seed)
      const chunks = chunksAt(doc, randomCuts(doc.length, rand))
      // A step needing more than 40 bytes is walked in JS, the rest in WebAssembly, switching mid-value.
      expect(splitEvents(chunks, new WasmWalker(module!, 40, 40)), `seed ${seed}`).toEqual(splitEvents(chunks, js()))
    }
  })

  it('starts each value afresh when its first step is walked in JS, whatever the module was left holding', () => {
    // A window longer than the largest one copied: every step is walked in JS, and the state goes back into the
    // module at every chunk end. The first value is cut open, so the module holds it when the next one begins.
    const alwaysJs = (): WasmWalker => new WasmWalker(module!, 16, 32)
    const chunks = [Buffer.from('{"a":[1,{"b":'), Buffer.from('2}]} {"c":3} ["d"]')]
    expect(walkTrace(alwaysJs(), chunks)).toEqual(['more@13', 'end@17', 'end@25', 'end@31'])
    for (let seed = 2200; seed < 2300; seed++) {
      const doc = randomDocument(seed)
      const chunks = chunksAt(doc, randomCuts(doc.length, rng(seed)))
      expect(walkTrace(alwaysJs(), chunks), `seed ${seed}`).toEqual(walkTrace(new ValueScanner(), chunks))
    }
  })
})
