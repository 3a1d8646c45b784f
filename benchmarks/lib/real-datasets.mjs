// Reads the real CloudTrail datasets in ../shared/datasets (never copied into the repo) into a uniform
// list of files. Used twice: measure-datasets.mjs derives the generator's figures from them, and
// compare-paths.mjs runs the engine's fast path and a brute-force path over them.
import { fileURLToPath } from 'node:url'
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join, relative, basename } from 'node:path'
import { gunzipSync, inflateRawSync } from 'node:zlib'
import { CACHE_DIR } from './paths.mjs'
import { topLevelValues } from '../../packages/engine/test/support/crafted-layouts.mjs'

// The shared reference folder sits beside the checkout (../shared/datasets), as it does on CI.
export const DATASETS_DIR = process.env.TRAILSCAN_DATASETS ?? fileURLToPath(new URL('../../../shared/datasets', import.meta.url))

/** Every file under dir, sorted, so runs are reproducible. */
export function walk(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else out.push(p)
  }
  return out
}

/**
 * The one .zip (OTRF) holds a JSON Lines file. Node has no unzip, but a zip member is a local header followed
 * by raw deflate data, so a few lines of header reading are enough; the result goes to .cache so the engine
 * can read it as an ordinary file. Returns undefined (with a note) for anything this reader does not handle.
 */
export function extractZip(zipPath, outDir) {
  const buf = readFileSync(zipPath)
  const files = []
  let off = 0
  while (off + 30 <= buf.length && buf.readUInt32LE(off) === 0x04034b50) {
    const flags = buf.readUInt16LE(off + 6)
    const method = buf.readUInt16LE(off + 8)
    let csize = buf.readUInt32LE(off + 18)
    const nameLen = buf.readUInt16LE(off + 26)
    const extraLen = buf.readUInt16LE(off + 28)
    const name = buf.toString('utf8', off + 30, off + 30 + nameLen)
    const start = off + 30 + nameLen + extraLen
    // Bit 3: sizes live in a data descriptor after the data; take them from the central directory instead.
    if (flags & 8) csize = centralSize(buf, name)
    if (csize === undefined || (method !== 0 && method !== 8)) return undefined
    const data = buf.subarray(start, start + csize)
    const body = method === 8 ? inflateRawSync(data) : data
    if (!name.endsWith('/')) {
      const dest = join(outDir, basename(name))
      mkdirSync(outDir, { recursive: true })
      writeFileSync(dest, body)
      files.push(dest)
    }
    off = start + csize + (flags & 8 ? 16 : 0)
  }
  return files
}

function centralSize(buf, name) {
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf.readUInt32LE(i) !== 0x06054b50) continue
    let p = buf.readUInt32LE(i + 16)
    while (buf.readUInt32LE(p) === 0x02014b50) {
      const n = buf.readUInt16LE(p + 28)
      const m = buf.readUInt16LE(p + 30)
      const k = buf.readUInt16LE(p + 32)
      if (buf.toString('utf8', p + 46, p + 46 + n) === name) return buf.readUInt32LE(p + 20)
      p += 46 + n + m + k
    }
  }
  return undefined
}

/**
 * The dataset files that hold CloudTrail records, with how to read them. Licence files, READMEs and metadata
 * are left out; digest files are kept (the engine must find no events in them, and so must the general path).
 */
export function datasetFiles({ log = console.error } = {}) {
  const files = []
  for (const p of walk(DATASETS_DIR)) {
    const rel = relative(DATASETS_DIR, p)
    if (/(^|\/)(LICENSE|NOTICE|README)[^/]*$/.test(rel) || /\.(md|yaml|txt)$/.test(rel) || /LICENSE/.test(rel)) continue
    if (p.endsWith('.zip')) {
      const out = join(CACHE_DIR, 'datasets', basename(p, '.zip'))
      const got = existsSync(out) ? walk(out) : extractZip(p, out)
      if (!got) log(`note: ${rel}: zip layout not handled by the small reader; skipped`)
      else for (const f of got) files.push({ path: f, rel: `${rel}!${basename(f)}` })
      continue
    }
    files.push({ path: p, rel })
  }
  return files
}

/** File bytes as text, gunzipped when the magic bytes say gzip (as the engine does: never by name). */
export function fileText(path) {
  const b = readFileSync(path)
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8')
}

/**
 * Records of one file, the general way: JSON.parse the whole text ({"Records":[…]}, a bare array, one record),
 * or line by line when it is JSON Lines. Digest files (they carry digestStartTime, no records) yield nothing.
 */
export function parseRecordsGeneral(text) {
  const docs = topLevelValues(text)
  // Not one document: JSON Lines or documents back to back, each read as its own file would be.
  if (docs.length !== 1) return docs.flatMap((d) => (Array.isArray(d?.Records) ? d.Records : [d]))
  const doc = docs[0]
  if (Array.isArray(doc)) return doc
  if (doc && Array.isArray(doc.Records)) return doc.Records
  if (doc && typeof doc === 'object' && 'digestStartTime' in doc) return []
  return [doc]
}

/**
 * The exact text of each record, found without the engine's splitter: JSON.parse already said what the records
 * are; this walks the text once (string- and depth-aware) to cut the same elements out as raw slices, so rules
 * that read the raw text (CWL number spelling) see what was in the file. JSON Lines: one record per line.
 */
export function recordSlices(text, count) {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  let start = text.search(/\S/)
  if (text[start] === '{') {
    start = recordsArrayStart(text, start)
    if (start < 0) return lines.length === count && count > 1 ? lines.map((l) => l.trim()) : [text.trim()]
  }
  const out = []
  let depth = 0
  let from = -1
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      i = skipString(text, i)
      continue
    }
    if (c === '{' || c === '[') {
      if (++depth === 2) from = i
    } else if (c === '}' || c === ']') {
      if (depth-- === 2) out.push(text.slice(from, i + 1))
      if (depth === 0) break
    }
  }
  return out
}

function skipString(text, i) {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++
    else if (text[j] === '"') return j
  }
  return text.length
}

/** Index of the `[` holding the Records array of a root object, or -1. */
function recordsArrayStart(text, i) {
  let depth = 0
  for (; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      const end = skipString(text, i)
      if (depth === 1 && text.slice(i, end + 1) === '"Records"') {
        const m = /^\s*:\s*\[/.exec(text.slice(end + 1, end + 64))
        if (m) return end + m[0].length
      }
      i = end
    } else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
  }
  return -1
}
