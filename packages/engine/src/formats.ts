/**
 * `@trailscan/engine/formats`: findings as other tools take them (OCSF, ASFF, CSV), pure functions from a finding
 * to a record. The same functions as the main entry's; this entry loads nothing else, so a writer can load it
 * when a format is asked for.
 */
export { toAsff, AsffMappingError, ASFF_MAX_FINDING_BYTES, ASFF_LIMITS } from './emit/formats/asff.js'
export type { AsffFinding, AsffResource, AsffSeverityLabel, AsffOptions } from './emit/formats/asff.js'
export { TRUNCATED_MARK } from './emit/formats/text-limit.js'
export type { EmittedFinding } from './emit/formats/emitted-finding.js'
export { toOcsf, OCSF_VERSION } from './emit/formats/ocsf.js'
export type { OcsfDetectionFinding, OcsfOptions } from './emit/formats/ocsf.js'
export { toCsvRow, csvHeader, csvCell, CSV_COLUMNS, CSV_MAX_CELL } from './emit/formats/csv.js'
export type { CsvOptions } from './emit/formats/csv.js'
