import { closeSync, constants, openSync, readSync, statSync, type Stats } from 'node:fs'
import { open, readdir, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { SourceReadError } from '../errors.js'
import type { SkipReason } from '../emit/summary.js'
import { parseCloudTrailKey } from './key-layout.js'
import type { LogObject } from './log-object.js'
import { rememberOrigin } from './object-ref.js'

/**
 * Local files as LogObjects. A file named on the command line is always read, whatever its name or content.
 * A directory walk reads every regular file under CloudTrail's key layout (`AWSLogs/<account>/CloudTrail/…`,
 * where any fault is an error, as in the bucket), and judges every other file by its first bytes (the reader
 * does, `byContent`): what is not CloudTrail is skipped and reported, never read as an error nor dropped
 * silently, so TrailDiscover's `*.json.cloudtrail` or a file with no extension are read like `*.json.gz`.
 * Symlinks are followed, files and directories alike; a link back into a directory being walked (a loop) and a
 * file or directory already read through another path (a second link, a hard link) are skipped and reported, so
 * each real file is read once. FIFOs, sockets and devices are never opened: one would block the scan forever or
 * feed it without end.
 */
const DATASET_META = /^expected-[a-z-]+\.jsonl$/
const SYNC_READ_BELOW = 1024 * 1024
// A file swapped for a FIFO between the walk's stat and the open must not block the open (or a libuv thread).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

export interface LocalListOptions {
  /** Called for each file a directory walk passes over, with the reason and what was seen. */
  onSkip?: (path: string, reason: SkipReason, detail: string) => void
  /** Called when a path cannot be listed or stat'ed, or is not a file or directory; the walk goes on. */
  onError?: (error: SourceReadError) => void
}

/** What a path is, when it is neither a regular file nor a directory. */
function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'FIFO'
  if (st.isSocket()) return 'socket'
  if (st.isCharacterDevice()) return 'character device'
  if (st.isBlockDevice()) return 'block device'
  return 'not a regular file'
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
    read: async (limit) => {
      try {
        return size <= SYNC_READ_BELOW ? readWholeSync(path, size, limit) : await readWhole(path, size, limit)
      } catch (err) {
        throw new SourceReadError(`cannot read file: ${(err as Error).message}`, { location: { object: path }, cause: err })
      }
    },
  }
  if (mtime) obj.mtime = mtime
  rememberOrigin(obj, { kind: 'local', path })
  return obj
}

/**
 * The file's listed `size` bytes in one read, as readFileSync reads a regular file. A listed size of 0 may be
 * an empty file or one whose size stat does not know (/proc, a device behind a link): read on until the end,
 * but never past `limit + 1` bytes, so that /dev/zero cannot fill memory.
 */
function readWholeSync(path: string, size: number, limit: number): Buffer {
  const fd = openSync(path, OPEN_FLAGS)
  try {
    if (size > 0) {
      const buf = Buffer.allocUnsafe(Math.min(size, limit + 1))
      let n = 0
      while (n < buf.length) {
        const r = readSync(fd, buf, n, buf.length - n, null)
        if (r === 0) break
        n += r
      }
      return n === buf.length ? buf : buf.subarray(0, n)
    }
    const parts: Buffer[] = []
    let n = 0
    while (n <= limit) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - n))
      const r = readSync(fd, buf, 0, buf.length, null)
      if (r === 0) break
      parts.push(buf.subarray(0, r))
      n += r
    }
    return Buffer.concat(parts, n)
  } finally {
    closeSync(fd)
  }
}

async function readWhole(path: string, size: number, limit: number): Promise<Buffer> {
  const fh = await open(path, OPEN_FLAGS)
  try {
    const buf = Buffer.allocUnsafe(Math.min(size, limit + 1))
    let n = 0
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, null)
      if (bytesRead === 0) break
      n += bytesRead
    }
    return n === buf.length ? buf : buf.subarray(0, n)
  } finally {
    await fh.close()
  }
}

async function openLocal(path: string): Promise<Readable> {
  let fh
  try {
    fh = await open(path, OPEN_FLAGS)
  } catch (err) {
    throw new SourceReadError(`cannot read file: ${(err as Error).message}`, { location: { object: path }, cause: err })
  }
  // The stream owns the handle from here: it closes it at the end or when destroyed.
  return fh.createReadStream({ highWaterMark: 1024 * 1024 })
}

/**
 * Files and directories already read in one listing, by device and inode, so that links never read one twice.
 * Directories (few) keep the path they were read at, for the message; files keep only their inode number, so
 * that a walk over a million files holds a few MB, not their paths.
 */
class Seen {
  private readonly dirs = new Map<string, string>()
  private readonly files = new Map<number, Set<number>>()

  /** The path the directory `st` was first read at, or undefined (and `path` is remembered) when it is new. */
  dir(st: Stats, path: string): string | undefined {
    const id = idOf(st)
    const before = this.dirs.get(id)
    if (before === undefined) this.dirs.set(id, path)
    return before
  }

  /** True when the file `st` was met before; remembered otherwise. */
  file(st: Stats): boolean {
    let inos = this.files.get(st.dev)
    if (!inos) this.files.set(st.dev, (inos = new Set()))
    if (inos.has(st.ino)) return true
    inos.add(st.ino)
    return false
  }
}

/** Files and directories (recursively, in sorted order so output is reproducible) as LogObjects. */
export async function* listLocalObjects(paths: readonly string[], opts: LocalListOptions = {}): AsyncGenerator<LogObject, void, undefined> {
  const seen = new Seen()
  for (const p of paths) {
    let st
    try {
      st = await stat(p)
    } catch (err) {
      opts.onError?.(new SourceReadError(`cannot read path: ${(err as Error).message}`, { location: { object: p }, cause: err }))
      continue
    }
    if (st.isDirectory()) {
      const before = seen.dir(st, p)
      if (before === undefined) yield* walk(p, [idOf(st)], seen, opts)
      else opts.onSkip?.(p, 'duplicate', `directory already read as ${before}`)
      continue
    }
    if (!st.isFile()) {
      opts.onError?.(
        new SourceReadError(
          `not a regular file or directory (${specialKind(st)}): not read, since reading it could block or never end; to scan data from a pipe, use \`trailscan scan -\``,
          { location: { object: p } },
        ),
      )
      continue
    }
    seen.file(st)
    yield localObject(p, st.size, st.mtime)
  }
}

function idOf(st: Stats): string {
  return `${st.dev}:${st.ino}`
}

/**
 * `ancestors` are the directories on the path from the root to `dir` (device:inode): a link to one of them is a
 * loop. Directories met elsewhere before are skipped too (`seen`), which also ends any loop a bind mount makes.
 */
async function* walk(
  dir: string,
  ancestors: readonly string[],
  seen: Seen,
  opts: LocalListOptions,
): AsyncGenerator<LogObject, void, undefined> {
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
    if (e.name.startsWith('.') || (e.name === 'node_modules' && e.isDirectory())) {
      opts.onSkip?.(full, 'hidden', e.isDirectory() ? 'hidden or dependency directory' : 'hidden file')
      continue
    }
    // Neither a file, a directory nor a link: never stat'ed further, never opened.
    if (!e.isFile() && !e.isDirectory() && !e.isSymbolicLink()) {
      opts.onSkip?.(
        full,
        'not-regular-file',
        e.isFIFO()
          ? 'FIFO'
          : e.isSocket()
            ? 'socket'
            : e.isCharacterDevice()
              ? 'character device'
              : e.isBlockDevice()
                ? 'block device'
                : 'not a regular file',
      )
      continue
    }
    if (DATASET_META.test(e.name) && !e.isDirectory()) {
      opts.onSkip?.(full, 'dataset-file', 'dataset expectation file')
      continue
    }
    let st
    try {
      // Synchronous: one stat per file, interleaved with the scan, otherwise leaves the main thread idle waiting
      // on the thread pool. It follows links, so a dangling link is an unreadable file, reported here.
      st = statSync(full)
    } catch (err) {
      opts.onError?.(new SourceReadError(`cannot read file: ${(err as Error).message}`, { location: { object: full }, cause: err }))
      continue
    }
    if (st.isDirectory()) {
      const id = idOf(st)
      if (ancestors.includes(id)) {
        opts.onSkip?.(full, 'symlink-loop', 'links back to a directory it is inside')
        continue
      }
      const before = seen.dir(st, full)
      if (before !== undefined) {
        opts.onSkip?.(full, 'duplicate', `directory already read as ${before}`)
        continue
      }
      yield* walk(full, [...ancestors, id], seen, opts)
      continue
    }
    if (!st.isFile()) {
      opts.onSkip?.(full, 'not-regular-file', `${specialKind(st)}${e.isSymbolicLink() ? ' (through a symlink)' : ''}`)
      continue
    }
    if (seen.file(st)) {
      opts.onSkip?.(full, 'duplicate', 'the same file was already read through another path (a symlink or hard link)')
      continue
    }
    const o = localObject(full, st.size, st.mtime)
    if (o.key.kind === 'other') o.byContent = true
    yield o
  }
}
