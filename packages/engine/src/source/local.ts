import { createReadStream, readFileSync, statSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { SourceReadError } from '../errors.js'
import { parseCloudTrailKey } from './key-layout.js'
import type { LogObject } from './log-object.js'

/**
 * In a directory walk only files that can hold logs are read: the names CloudTrail and the common exports use.
 * Everything else (READMEs, scripts, Trailscan's own dataset expectation files) is reported as skipped, never
 * read and never dropped silently. A file named on the command line is always read, whatever its name.
 */
const LOG_NAME = /\.(json|jsonl|ndjson|gz|log)$/i
const DATASET_META = /^expected-[a-z-]+\.jsonl$/
const SYNC_READ_BELOW = 1024 * 1024

export interface LocalListOptions {
  /** Called for each file a directory walk passes over, with the reason. */
  onSkip?: (path: string, reason: string) => void
  /** Called when a path cannot be listed or stat'ed; the walk goes on. */
  onError?: (error: SourceReadError) => void
}

function isWalkable(name: string): string | undefined {
  if (name.startsWith('.')) return 'hidden file'
  if (DATASET_META.test(name)) return 'dataset expectation file'
  if (!LOG_NAME.test(name)) return 'not a log file name (.json, .jsonl, .ndjson, .gz, .log)'
  return undefined
}

export function localObject(path: string, size: number, mtime?: Date): LogObject {
  const obj: LogObject = {
    uri: path,
    size,
    key: parseCloudTrailKey(path.split(sep).join('/')),
    open: () => openLocal(path),
    // A stream per 20 KB file costs more than the file: its buffers and events dominate (see ARCHITECTURE.md).
    // Small files are even read synchronously: four thread-pool round trips (open, fstat, read, close) cost more
    // than the read itself, and the main thread would only wait for them.
    read: async () => {
      try {
        return size <= SYNC_READ_BELOW ? readFileSync(path) : await readFile(path)
      } catch (err) {
        throw new SourceReadError(`cannot read file: ${(err as Error).message}`, { location: { object: path }, cause: err })
      }
    },
  }
  if (mtime) obj.mtime = mtime
  return obj
}

function openLocal(path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const s = createReadStream(path, { highWaterMark: 1024 * 1024 })
    s.once('open', () => resolve(s))
    s.once('error', (err) =>
      reject(new SourceReadError(`cannot read file: ${err.message}`, { location: { object: path }, cause: err })),
    )
  })
}

/** Files and directories (recursively, in sorted order so output is reproducible) as LogObjects. */
export async function* listLocalObjects(
  paths: readonly string[],
  opts: LocalListOptions = {},
): AsyncGenerator<LogObject, void, undefined> {
  for (const p of paths) {
    let st
    try {
      st = await stat(p)
    } catch (err) {
      opts.onError?.(new SourceReadError(`cannot read path: ${(err as Error).message}`, { location: { object: p }, cause: err }))
      continue
    }
    if (st.isDirectory()) yield* walk(p, p, opts)
    else yield localObject(p, st.size, st.mtime)
  }
}

async function* walk(root: string, dir: string, opts: LocalListOptions): AsyncGenerator<LogObject, void, undefined> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (err) {
    opts.onError?.(new SourceReadError(`cannot list directory: ${(err as Error).message}`, { location: { object: dir }, cause: err }))
    return
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    const full = join(dir, e.name)
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') {
        opts.onSkip?.(full, 'hidden or dependency directory')
        continue
      }
      yield* walk(root, full, opts)
      continue
    }
    if (!e.isFile() && !e.isSymbolicLink()) {
      opts.onSkip?.(full, 'not a regular file')
      continue
    }
    const why = isWalkable(e.name)
    if (why) {
      opts.onSkip?.(full, why)
      continue
    }
    try {
      // Synchronous: one stat per file, interleaved with the scan, otherwise leaves the main thread idle waiting
      // on the thread pool. It follows links, so a dangling link is an unreadable file, reported below.
      const st = statSync(full)
      if (st.isDirectory()) {
        yield* walk(root, full, opts)
        continue
      }
      yield localObject(full, st.size, st.mtime)
    } catch (err) {
      opts.onError?.(new SourceReadError(`cannot read file: ${(err as Error).message}`, { location: { object: full }, cause: err }))
    }
  }
}
