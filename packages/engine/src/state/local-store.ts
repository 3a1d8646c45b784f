import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { LeaseHeldError, StateConflictError } from '../errors.js'
import type { AcquireOptions, Lease, LeaseHolder, StateDocument, StateStore } from './state-store.js'

const LOCK = 'lock'
const GENERATION = /^state-(\d{10})\.json$/
/** How long a lock held from another host is trusted without a renewal; on this host the holder's pid decides. */
export const LOCAL_LEASE_MS = 10 * 60_000

/**
 * State in a local directory.
 *
 * The document is a series of generations, `state-0000000042.json`, the highest being current. A write creates
 * the next generation with link(2) from a fully written, fsync'd temporary file: link fails when the name exists,
 * so of two runs that read generation 42, exactly one creates 43 (compare-and-swap without a lock), and a crash at
 * any instant leaves either the old generation or the new one whole. The generation before the current one is kept,
 * so that a writer that read a generation long gone still finds its next name taken.
 *
 * The lease is `lock`, holding the holder as JSON, also created with link(2) from a complete file (never half
 * written). A lock whose process is gone from this host, or from another host that has not renewed it in
 * LOCAL_LEASE_MS, is taken over with a warning (onTakeover).
 */
export class LocalStateStore implements StateStore {
  constructor(readonly location: string) {}

  async read(): Promise<StateDocument | null> {
    // A generation may be removed between the listing and the read (a writer cleaning up): list again.
    for (let attempt = 0; ; attempt++) {
      const gen = (await this.generations()).at(-1)
      if (gen === undefined) return null
      try {
        return { body: await readFile(join(this.location, generationName(gen))), version: String(gen) }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw e
      }
    }
  }

  async write(body: Buffer, expected: string | null): Promise<string> {
    await mkdir(this.location, { recursive: true })
    const gens = await this.generations()
    const current = gens.at(-1)
    const conflict = (): StateConflictError =>
      new StateConflictError(
        this.location,
        `state at ${this.location} changed since this run read it (expected ${expected ?? 'none'}): another run committed; nothing was written`,
      )
    if ((current === undefined ? null : String(current)) !== expected) throw conflict()
    const next = (current ?? 0) + 1
    const tmp = join(this.location, `.state-${randomBytes(6).toString('hex')}.tmp`)
    writeDurably(tmp, body)
    try {
      await link(tmp, join(this.location, generationName(next)))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw conflict()
      throw e
    } finally {
      await unlink(tmp).catch(() => undefined)
    }
    syncDirectory(this.location)
    for (const g of gens) if (g < next - 1) await unlink(join(this.location, generationName(g))).catch(() => undefined)
    return String(next)
  }

  async acquire(holder: LeaseHolder, opts: AcquireOptions = {}): Promise<Lease> {
    await mkdir(this.location, { recursive: true })
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await this.createLock(holder)) return this.leaseOf(holder)
      const current = await this.lease()
      if (current === null) continue // released meanwhile: try again
      if (!isStale(current)) throw new LeaseHeldError(this.location, current)
      // Move the stale lock aside, then make sure what moved is the lock that was judged, not a newer one.
      const aside = join(this.location, `.lock-stale-${holder.runId}`)
      try {
        await rename(join(this.location, LOCK), aside)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw e
      }
      const moved = await readHolder(aside)
      if (moved !== null && moved.runId !== current.runId) {
        // Another run took over first: put its lock back, and lose.
        await link(aside, join(this.location, LOCK)).catch(() => undefined)
        await unlink(aside).catch(() => undefined)
        throw new LeaseHeldError(this.location, moved)
      }
      await unlink(aside).catch(() => undefined)
      opts.onTakeover?.(current)
    }
    const last = await this.lease()
    throw new LeaseHeldError(this.location, last ?? { runId: 'unknown', host: 'unknown', pid: 0, startedAt: '', expiresAt: '' })
  }

  async lease(): Promise<LeaseHolder | null> {
    return readHolder(join(this.location, LOCK))
  }

  async reset(): Promise<void> {
    let names: string[]
    try {
      names = await readdir(this.location)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return
      throw e
    }
    for (const n of names) if (GENERATION.test(n) || n === LOCK) await unlink(join(this.location, n)).catch(() => undefined)
    syncDirectory(this.location)
  }

  private async generations(): Promise<number[]> {
    let names: string[]
    try {
      names = await readdir(this.location)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw e
    }
    return names
      .map((n) => GENERATION.exec(n)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number)
      .sort((a, b) => a - b)
  }

  /** Creates `lock` holding `holder`; false when a lock exists. */
  private async createLock(holder: LeaseHolder): Promise<boolean> {
    const tmp = join(this.location, `.lock-${holder.runId}.tmp`)
    writeDurably(tmp, Buffer.from(`${JSON.stringify(holder, null, 2)}\n`))
    try {
      await link(tmp, join(this.location, LOCK))
      syncDirectory(this.location)
      return true
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw e
    } finally {
      await unlink(tmp).catch(() => undefined)
    }
  }

  private leaseOf(initial: LeaseHolder): Lease {
    let holder = initial
    const path = join(this.location, LOCK)
    const ours = (): Promise<LeaseHolder | null> => readHolder(path)
    return {
      get holder() {
        return holder
      },
      renew: async () => {
        const now = await ours()
        if (now === null || now.runId !== holder.runId)
          throw new LeaseHeldError(this.location, now ?? { ...holder, runId: 'none (the lock was removed)' })
        holder = { ...holder, expiresAt: new Date(Date.now() + LOCAL_LEASE_MS).toISOString() }
        const tmp = join(this.location, `.lock-${holder.runId}.tmp`)
        await writeFile(tmp, `${JSON.stringify(holder, null, 2)}\n`)
        await rename(tmp, path)
      },
      release: async () => {
        const now = await ours()
        if (now === null || now.runId !== holder.runId) return
        await unlink(path).catch(() => undefined)
        syncDirectory(this.location)
      },
    }
  }
}

/** A lock is stale when its process is gone from this host, or, held from elsewhere, not renewed in time. */
function isStale(h: LeaseHolder): boolean {
  if (h.host === hostname()) return !processAlive(h.pid)
  const until = Date.parse(h.expiresAt)
  return Number.isNaN(until) || until < Date.now()
}

function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function readHolder(path: string): Promise<LeaseHolder | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw e
  }
  try {
    const h = JSON.parse(text) as Partial<LeaseHolder>
    if (typeof h.runId === 'string' && typeof h.host === 'string' && typeof h.pid === 'number')
      return { runId: h.runId, host: h.host, pid: h.pid, startedAt: String(h.startedAt), expiresAt: String(h.expiresAt) }
  } catch {
    // Not ours to interpret: reported as an unknown holder below.
  }
  // A lock file not written by Trailscan (locks are created whole): held by someone we cannot judge.
  return { runId: 'unknown (lock file unreadable)', host: 'unknown', pid: 0, startedAt: '', expiresAt: '' }
}

function generationName(gen: number): string {
  return `state-${String(gen).padStart(10, '0')}.json`
}

/** Written and fsync'd before it is linked into place: a crash never leaves a named file half written. */
function writeDurably(path: string, body: Buffer): void {
  const fd = openSync(path, 'w')
  try {
    let off = 0
    while (off < body.length) off += writeSync(fd, body, off)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** The directory entry (a link, a rename, an unlink) is durable only once the directory itself is fsync'd. */
function syncDirectory(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some file systems refuse fsync on a directory; the rename is then as durable as they make it.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
