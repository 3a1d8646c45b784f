import { RecordParseError, SourceReadError, type TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { decodeObject, decodeRecord, GzipError, type DecodeOptions, type DecodeStats } from './decompress.js'
import { HeadSniffer } from './sniff.js'
import { RecordSplitter, type SplitEvent, type SplitOptions } from './splitter.js'

/**
 * One record as read: a range of the inflated bytes, whatever the layout. `raw` is the record as latin1, one
 * character per byte, fit for literal tests on ASCII, and `json()` is its real (UTF-8) text for JSON.parse.
 * Only records some rule may want need either: the scanner reads eventName straight from the bytes.
 */
export class RecordText {
  private rawText: string | undefined

  constructor(
    readonly index: number,
    /** The inflated bytes the record sits in. */
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  get raw(): string {
    return (this.rawText ??= this.bytes.toString('latin1', this.start, this.end))
  }

  json(): string {
    // When `raw` was already made (literal tests), turning it into UTF-8 is a scan for non-ASCII, not a decode.
    return this.rawText === undefined ? this.bytes.toString('utf8', this.start, this.end) : decodeRecord(this.raw)
  }
}

export interface ObjectReadResult {
  stats: DecodeStats
  records: number
  digest: boolean
  /** True when a fault stopped the object before its end. */
  failed: boolean
  /** Set for an object judged by its content (LogObject.byContent) whose first bytes are not CloudTrail's: why. */
  notCloudTrail?: string
}

/**
 * Reads one object and hands each record's text to `onRecord` as soon as it is complete. Faults become
 * TrailscanErrors naming the object and, where known, the record index and offset; records before a fault
 * have already been delivered. Never throws for bad data; only `onRecord` exceptions propagate.
 */
export async function readRecords(
  obj: LogObject,
  opts: DecodeOptions,
  onRecord: (record: RecordText) => void,
  onError: (error: TrailscanError) => void,
  split: SplitOptions = {},
): Promise<ObjectReadResult> {
  const stats: DecodeStats = { storedBytes: 0, decodedBytes: 0, gzip: false }
  const result: ObjectReadResult = { stats, records: 0, digest: false, failed: false }
  const sink = (e: SplitEvent): void => {
    switch (e.kind) {
      case 'record':
        result.records++
        onRecord(new RecordText(e.index, e.bytes, e.start, e.end))
        return
      case 'bad-record':
        result.records++
        onError(
          new RecordParseError(`record ${e.index}: ${e.reason}`, {
            location: { object: obj.uri, recordIndex: e.index, offset: e.offset },
          }),
        )
        return
      case 'fault':
        onError(new RecordParseError(e.reason, { location: { object: obj.uri, offset: e.offset } }))
        return
      case 'digest':
        result.digest = true
        return
      case 'fatal':
        result.failed = true
        onError(
          new RecordParseError(`${e.reason}${e.recordIndex === undefined ? '' : ` (record ${e.recordIndex})`}`, {
            location: {
              object: obj.uri,
              offset: e.offset,
              ...(e.recordIndex === undefined ? {} : { recordIndex: e.recordIndex }),
            },
          }),
        )
        return
    }
  }
  const splitter = new RecordSplitter(sink, split)
  const sniffer = obj.byContent ? new HeadSniffer(() => stats.gzip) : undefined
  try {
    for await (const chunk of decodeObject(obj, opts, stats)) {
      if (!sniffer) splitter.push(chunk)
      else for (const c of sniffer.push(chunk)) splitter.push(c)
      if (sniffer?.verdict !== undefined) break // not CloudTrail: stop reading (the stream is released)
    }
    if (sniffer) for (const c of sniffer.end()) splitter.push(c)
    if (sniffer?.verdict !== undefined) {
      result.notCloudTrail = sniffer.verdict
      return result
    }
  } catch (err) {
    // Whatever was inflated before the fault still counts, also while it was held to be judged.
    if (sniffer) for (const c of sniffer.end()) splitter.push(c)
    result.failed = true
    // A source that cut its body where it said the object ends (S3: the listed size) delivered a whole object.
    if ((err as { endsWhole?: unknown }).endsWhole === true) splitter.end()
    // A trailer fault or trailing garbage comes after complete data: its last record is whole, so finish it.
    if (err instanceof GzipError && err.wholeMembers) splitter.end()
    onError(
      err instanceof SourceReadError
        ? withRecord(err, splitter.recordCount)
        : new SourceReadError(`cannot read: ${(err as Error).message ?? String(err)}`, {
            location: { object: obj.uri },
            cause: err,
          }),
    )
    return result
  }
  splitter.end()
  return result
}

/** A decode fault mid-object: say how many records were read before it, since they still count. */
function withRecord(err: SourceReadError, records: number): SourceReadError {
  if (err.location?.offset === undefined || records === 0 || (err as { fatal?: unknown }).fatal === true) return err
  return new SourceReadError(`${err.message}; ${records} records before the fault were scanned`, {
    location: { ...err.location, recordIndex: records },
    cause: err.cause,
  })
}
