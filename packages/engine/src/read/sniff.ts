import { DIGEST_KEYS, EVENT_KEYS } from './splitter.js'

/**
 * Is this object's decompressed start CloudTrail's? For files a directory walk finds outside CloudTrail's key
 * layout, where any file may sit (READMEs, exports of other tools, binaries): the content decides, never the
 * name. Only the first SNIFF_BYTES are looked at, so a walk over 100,000 files or a 2 GB video stays cheap.
 * CloudTrail content is JSON starting with `{` or `[` (after a BOM or whitespace) that names, within that head,
 * the `Records` key, a key every event has, or a digest key: the keys the splitter itself recognises a layout by.
 * A record whose first 64 KB hold none of them (a huge first value in a key-sorted re-serialisation) is
 * skipped and reported like any other file that is not CloudTrail.
 */
export const SNIFF_BYTES = 64 * 1024

const MARKERS = ['Records', ...EVENT_KEYS, ...DIGEST_KEYS].map((k) => Buffer.from(`"${k}"`, 'latin1'))

/** Undefined when the head looks like CloudTrail, else why not (for the summary's skipped list). */
export function notCloudTrail(head: Buffer, gzip: boolean): string | undefined {
  if (head.length === 0) return gzip ? 'empty gzip member' : 'empty file'
  let i = 0
  // UTF-8 byte order mark, then JSON whitespace.
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++
  const c = head[i]
  if (c !== 0x7b && c !== 0x5b) return gzip ? 'gzip, but not JSON inside' : 'not gzip or JSON'
  for (const m of MARKERS) if (head.indexOf(m, i) >= 0) return undefined
  return `JSON without CloudTrail records or digest fields in its first ${SNIFF_BYTES / 1024} KB`
}

/**
 * Holds the first chunks of a decompressed object until SNIFF_BYTES (or the end) are in, then judges them.
 * `push` returns the chunks to pass on once the verdict is in (an empty list while still holding).
 */
export class HeadSniffer {
  private held: Buffer[] = []
  private n = 0
  verdict: string | undefined
  done = false

  constructor(private readonly gzip: () => boolean) {}

  push(chunk: Buffer): Buffer[] {
    if (this.done) return [chunk]
    this.held.push(chunk)
    this.n += chunk.length
    return this.n >= SNIFF_BYTES ? this.decide() : []
  }

  /** At the end of the object: judge what was held. */
  end(): Buffer[] {
    return this.done ? [] : this.decide()
  }

  private decide(): Buffer[] {
    this.done = true
    const held = this.held
    this.held = []
    const head = held.length === 1 ? held[0]! : Buffer.concat(held)
    this.verdict = notCloudTrail(head.length > SNIFF_BYTES ? head.subarray(0, SNIFF_BYTES) : head, this.gzip())
    return this.verdict === undefined ? held : []
  }
}
