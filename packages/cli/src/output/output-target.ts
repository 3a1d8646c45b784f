import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'

const PAUSE = new Int32Array(new SharedArrayBuffer(4))
/** Flush when this much is buffered; at the latest after each object (flush()). */
const FLUSH_AT = 64 * 1024

/**
 * Where findings go: --out FILE, opened before the scan so that a path that cannot be written is a usage error,
 * or stdout. Writes are synchronous and whole: lines are buffered and each buffer is written out completely (a
 * signal handler runs only between writes), so output is never cut mid-line; on a regular file a write that
 * fails half-way is truncated back to the last whole line.
 *
 * A failed write is remembered, not thrown: the scan stops (onStop) and the summary and exit code say so.
 * EPIPE is the reader closing early (`| head`): findings stop quietly.
 */
export class OutputTarget {
  /** The write error, when a write failed for any reason other than the reader closing. */
  failure: NodeJS.ErrnoException | undefined
  readerClosed = false
  /** Lines (findings, alarm periods, table rows) that never reached the output. */
  unwritten = 0
  onStop: (() => void) | undefined
  /**
   * Lines the file already holds from a run that did not commit its state (`--append` after a crash): not written
   * again (output/held-lines.ts).
   */
  held: { has(line: string): boolean } | undefined
  private buffer = ''
  private lines = 0

  private constructor(
    private readonly fd: number,
    /** How the target is named in messages: "--out PATH" or "stdout". */
    readonly name: string,
    private readonly owned: boolean,
    /** Fsync'd on close: a scheduled scan commits its state only after its outputs are on disk. */
    private readonly durable = false,
  ) {}

  /** `append`: keep what the file holds and write after it; `durable`: fsync on close. */
  static file(path: string, flag: string, opts: { append?: boolean; durable?: boolean } = {}): OutputTarget {
    try {
      return new OutputTarget(openSync(path, opts.append ? 'a' : 'w'), `${flag} ${path}`, true, opts.durable ?? false)
    } catch (e) {
      throw new CliExit(EXIT.usage, `${flag} ${path}: cannot be written (${(e as Error).message})`)
    }
  }

  /** Stdout, refused before the scan when it cannot take findings at all. */
  static stdout(): OutputTarget {
    const mode = stdoutAccessMode()
    if (mode === 'read-only') throw new CliExit(EXIT.usage, 'stdout is open for reading only: findings cannot be written (use --out FILE)')
    // Node puts /dev/null, opened read-write, in place of a closed stdout (`>&-`); a shell's `> /dev/null`
    // opens it write-only. Findings written there would be lost without a word.
    if (mode === 'closed')
      throw new CliExit(EXIT.usage, 'stdout is closed: findings would be lost (use --out FILE, or > /dev/null to discard them)')
    return new OutputTarget(1, 'stdout', false)
  }

  get ok(): boolean {
    return this.failure === undefined && !this.readerClosed
  }

  /** `text` is one or more whole lines. */
  write(text: string, lines = 1): void {
    if (this.held?.has(text)) return
    if (!this.ok) {
      this.unwritten += lines
      return
    }
    this.buffer += text
    this.lines += lines
    if (this.buffer.length >= FLUSH_AT) this.flush()
  }

  flush(): void {
    if (this.buffer === '') return
    const data = Buffer.from(this.buffer)
    const lines = this.lines
    this.buffer = ''
    this.lines = 0
    if (!this.ok) {
      this.unwritten += lines
      return
    }
    const before = regularFileSize(this.fd)
    try {
      writeAll(this.fd, data)
    } catch (e) {
      const err = e as NodeJS.ErrnoException
      if (err.code === 'EPIPE') this.readerClosed = true
      else this.failure = err
      this.unwritten += lines
      // Keep the findings already written whole: drop the part of this buffer that did get through.
      if (before !== undefined)
        try {
          ftruncateSync(this.fd, before)
        } catch {
          // Nothing better to do: the error is reported either way.
        }
      this.onStop?.()
    }
  }

  /**
   * Everything written so far is on disk: flushed, and fsync'd when the target is a file. Every output a scheduled
   * scan writes goes through this before the state commits; a failure is the target's failure.
   */
  sync(): void {
    this.flush()
    if (!this.owned || !this.ok) return
    try {
      fsyncSync(this.fd)
    } catch (e) {
      this.failure ??= e as NodeJS.ErrnoException
    }
  }

  close(): void {
    if (this.durable) this.sync()
    else this.flush()
    if (this.owned)
      try {
        closeSync(this.fd)
      } catch (e) {
        // A network file system may report a failed write only on close.
        this.failure ??= e as NodeJS.ErrnoException
      }
  }

  /** The summary's wording of a failed target (`what`: what was being written); undefined when nothing failed. */
  failureMessage(what = 'findings'): string | undefined {
    if (!this.failure) return undefined
    const lost = what === 'findings' ? `; ${this.unwritten} ${this.unwritten === 1 ? 'line' : 'lines'} not written` : ''
    return `${what} could not be written to ${this.name}: ${this.failure.message}${lost}`
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off)
    } catch (e) {
      // A non-blocking pipe whose reader is slow: wait for it, as a blocking write would.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
      Atomics.wait(PAUSE, 0, 0, 5)
    }
  }
}

function regularFileSize(fd: number): number | undefined {
  try {
    // bigint: Node's realpathSync reads the shared stat array the last number-fstat filled; a pipe's there made it
    // stop resolving symlinks, so pino (loaded on the first log line) was found outside pnpm's store and crashed.
    const s = fstatSync(fd, { bigint: true })
    return s.isFile() ? Number(s.size) : undefined
  } catch {
    return undefined
  }
}

/** Linux only (/proc): how fd 1 was opened; 'unknown' elsewhere, where write errors still count. */
function stdoutAccessMode(): 'read-only' | 'closed' | 'writable' | 'unknown' {
  let flags: number
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(readFileSync('/proc/self/fdinfo/1', 'utf8'))
    if (!m) return 'unknown'
    flags = Number.parseInt(m[1]!, 8)
  } catch {
    return 'unknown'
  }
  const access = flags & 3
  if (access === 0) return 'read-only'
  if (access === 2) {
    try {
      const s = fstatSync(1, { bigint: true }) // bigint: see regularFileSize
      const devNull = statSync('/dev/null', { bigint: true })
      if (s.isCharacterDevice() && s.rdev === devNull.rdev) return 'closed'
    } catch {
      return 'unknown'
    }
  }
  return 'writable'
}
