/**
 * `@trailscan/engine/formats`: findings as other tools take them (OCSF, ASFF, CSV), pure functions from a finding
 * to a record. The same functions as the main entry's; this entry loads nothing else, so a writer can load it
 * when a format is asked for.
 */
export { toAsff, AsffMappingError, ASFF_MAX_FINDING_BYTES, ASFF_LIMITS } from './emit/formats/asff.js'
export type { AsffFinding, AsffResource, AsffSeverityLabel, AsffOptions } from './emit/formats/asff.js'
export { TRUNCATED_MARK } from './emit/formats/text-limit.js'
export type { EmittedFinding } from './emit/formats/emitted-finding.js'
