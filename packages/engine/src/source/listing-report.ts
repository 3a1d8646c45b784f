import { countSkipped, emptySummary, errorEntry, type ScanSummary, type SkipReason } from '../emit/summary.js'
import type { TrailscanError } from '../errors.js'

/**
 * What listing the sources met, for the scan's summary: hand its `onError` and `onSkip` to the listers
 * (listLocalObjects, listS3Objects' onError) and the report itself to `scan({ listing })`. Files skipped are
 * counted in the summary in the order met; listing errors come first among the summary's errors, since they
 * happened before any object they would have named was read. The forward callbacks see each one as it
 * happens (to log it).
 */
export class ListingReport {
  /** The summary the scan fills in. */
  readonly summary: ScanSummary
  private readonly errors: TrailscanError[] = []

  constructor(
    private readonly forward: {
      onError?(error: TrailscanError): void
      onSkip?(path: string, reason: SkipReason, detail: string): void
    } = {},
  ) {
    this.summary = emptySummary()
  }

  readonly onError = (error: TrailscanError): void => {
    this.errors.push(error)
    this.forward.onError?.(error)
  }

  readonly onSkip = (path: string, reason: SkipReason, detail: string): void => {
    countSkipped(this.summary, path, reason, detail)
    this.forward.onSkip?.(path, reason, detail)
  }

  /** Puts the listing errors met so far at the head of the summary's errors (scan() calls it once, at the end). */
  fillIn(summary: ScanSummary): void {
    summary.errors.unshift(...this.errors.map(errorEntry))
  }
}
