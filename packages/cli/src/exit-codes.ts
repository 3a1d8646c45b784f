/** Exit codes, as ARCHITECTURE.md sets them. */
export const EXIT = {
  ok: 0,
  /** Findings at or above --fail-on. */
  findings: 1,
  /** Usage or rule error, or no CloudTrail log object was read (without --allow-empty): nothing was scanned. */
  usage: 2,
  /** Some objects or records could not be read; findings from the rest were written. Takes precedence over 1. */
  readErrors: 3,
  /** Findings (or the --summary-json file) could not be written. Takes precedence over 5, 3 and 1. */
  writeFailed: 4,
  /**
   * A --to destination did not acknowledge some findings after every retry (they are in the summary and the
   * outbox). Takes precedence over 3 and 1: an alert that never arrived is the worse news.
   */
  deliveryFailed: 5,
} as const
