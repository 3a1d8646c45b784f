import { RecordParseError, SourceReadError, type TrailscanError } from '../errors.js'
import type { LogObject } from '../source/log-object.js'
import { decodeObject, type DecodeOptions, type DecodeStats } from './decompress.js'
import { RecordSplitter, type SplitEvent } from './splitter.js'

/**
 * One record as read: `raw` is its bytes as latin1 (see decompress.ts), fit for literal tests on ASCII; turn it
 * into real text with `decodeRecord(raw)` before parsing or showing it.
 */
export interface RecordText {
  raw: string
  index: number
  /** The decoded chunk the record sits in, from `start`: lets a caller search across records in one pass. */
  chunk: string
  start: number
}

export interface ObjectReadResult {
  stats: DecodeStats
  records: number
  digest: boolean
  /** True when a fault stopped the object before its end. */
  failed: boolean
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
): Promise<ObjectReadResult> {
  const stats: DecodeStats = { storedBytes: 0, decodedBytes: 0, gzip: false }
  const result: ObjectReadResult = { stats, records: 0, digest: false, failed: false }
  const sink = (e: SplitEvent): void => {
    switch (e.kind) {
      case 'record':
        result.records++
        onRecord({ raw: e.text, index: e.index, chunk: e.chunk, start: e.start })
        return
      case 'bad-record':
        result.records++
        onError(
          new RecordParseError(`record ${e.index}: ${e.reason}`, {
            location: { object: obj.uri, recordIndex: e.index, offset: e.offset },
          }),
        )
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
  const splitter = new RecordSplitter(sink)
  try {
    for await (const chunk of decodeObject(obj, opts, stats)) splitter.push(chunk)
  } catch (err) {
    result.failed = true
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
