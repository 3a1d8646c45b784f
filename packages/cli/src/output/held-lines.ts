import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs'

/**
 * What an `--append` JSONL file already holds beyond the part committed runs wrote: lines written by a run that
 * was killed before it committed its state. The next run redoes those objects and would write the same lines
 * again; it writes no finding, alarm period or remediation record whose kind and `id` are here (an alarm period
 * redone may count more events, the same period still), and no line without an id that is here word for word.
 *
 * Only the uncommitted tail is read, so the cost stays the size of one run's output however long the file grows;
 * ids in the committed part are the state's (`findingIds`), which the scan's dedup starts from. A file the state
 * does not know, or one shorter than the state remembers (rotated, truncated), is read whole.
 *
 * A line cut by the kill (no newline at the end) is removed: it was never a finding anyone could read, and the
 * redone run writes it whole.
 */
export class HeldLines {
  private constructor(
    readonly ids: ReadonlySet<string>,
    private readonly lines: ReadonlySet<string>,
    /** Bytes of a cut last line that were removed. */
    readonly cut: number,
    /** The file's size once repaired: where this run's lines start. */
    readonly size: number,
  ) {}

  static read(path: string, committedBytes: number | undefined): HeldLines {
    let fd: number
    try {
      fd = openSync(path, 'r+')
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new HeldLines(new Set(), new Set(), 0, 0)
      throw e
    }
    try {
      const size = Number(fstatSync(fd, { bigint: true }).size)
      const from = committedBytes !== undefined && committedBytes <= size ? committedBytes : 0
      const tail = Buffer.alloc(size - from)
      let n = 0
      while (n < tail.length) {
        const r = readSync(fd, tail, n, tail.length - n, from + n)
        if (r === 0) break
        n += r
      }
      const end = tail.lastIndexOf(10) + 1
      if (end < n) ftruncateSync(fd, from + end)
      const ids = new Set<string>()
      const lines = new Set<string>()
      for (const line of tail.subarray(0, end).toString('utf8').split('\n')) {
        if (line === '') continue
        const id = idOf(line)
        if (id !== undefined) ids.add(id)
        else lines.add(line)
      }
      return new HeldLines(ids, lines, n - end, from + end)
    } finally {
      closeSync(fd)
    }
  }

  get empty(): boolean {
    return this.ids.size === 0 && this.lines.size === 0
  }

  /** `text`: one line as the writer writes it, newline included. */
  has(text: string): boolean {
    if (this.empty) return false
    const line = text.endsWith('\n') ? text.slice(0, -1) : text
    const id = idOf(line)
    return id !== undefined ? this.ids.has(id) : this.lines.has(line)
  }
}

/** `kind:id` of a JSON line that has both. */
function idOf(line: string): string | undefined {
  if (!line.startsWith('{"kind":')) return undefined
  try {
    const { kind, id } = JSON.parse(line) as { kind?: unknown; id?: unknown }
    return typeof kind === 'string' && typeof id === 'string' ? `${kind}:${id}` : undefined
  } catch {
    return undefined
  }
}
