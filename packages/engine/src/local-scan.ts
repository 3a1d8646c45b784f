/**
 * `@trailscan/engine/local-scan`: the light entry a local scan with the shipped rules loads, for start-up speed,
 * and nothing else. It is a subset of `@trailscan/engine` (the same functions): the main entry also loads the
 * YAML rule loader, the S3 lister, dataset validation and rule examples, modules that a CLI start would compile
 * only to leave unused. Callers that need those import `@trailscan/engine` when they do.
 */
export { scan } from './scan.js'
export { loadRuleSet } from './rules/rule-set.js'
export { looksLikePath } from './rules/rule-path.js'
export { SEVERITIES } from './rules/spec.js'
export { listLocalObjects } from './source/local.js'
export { streamObject } from './source/stream.js'
export { SKIP_WARNS } from './emit/summary.js'
export { ListingReport } from './source/listing-report.js'
export { isS3Uri } from './source/s3-uri.js'
export { parseInstant } from './time-window.js'
export { TrailscanError } from './errors.js'
export { newEmitCarry, parseEmitCarry, CarryError } from './emit/carry.js'
