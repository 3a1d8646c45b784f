import { CLOSING_EVENTS, closingFrom } from '../emit/exposure-tracker.js'
import type { CompiledRule } from '../match/matcher.js'
import type { DecodeOptions } from '../read/decompress.js'
import { RawFieldReader } from '../select/raw-fields.js'
import { RecordFilter } from '../select/record-filter.js'
import { RuleIndex } from '../select/rule-index.js'
import { ObjectScanner } from './object-scanner.js'

/** What an object scanner is built from besides the rules: plain data, so a worker thread builds the same one. */
export interface ScannerSetup {
  filter: { start?: Date; end?: Date; accounts?: readonly string[]; regions?: readonly string[] }
  marginDays: number
  decode: DecodeOptions
}

/** The one way an ObjectScanner is built, on the main thread (--workers 1) and in each worker thread alike. */
export function objectScanner(rules: readonly CompiledRule[], setup: ScannerSetup): ObjectScanner {
  const plan = {
    index: new RuleIndex(rules),
    filter: new RecordFilter(setup.filter, setup.marginDays),
    watched: CLOSING_EVENTS,
    reader: new RawFieldReader(),
  }
  return new ObjectScanner(plan, { events: CLOSING_EVENTS, closingFrom }, setup.decode)
}
