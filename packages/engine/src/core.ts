/**
 * `@trailscan/engine/core`: what a local scan with the shipped rules runs, and nothing else. The main entry
 * also loads the YAML rule loader, the S3 lister, dataset validation and rule examples: 17 more modules that a
 * CLI start would compile only to leave unused. Callers that need those import `@trailscan/engine` when they do.
 */
export { scan } from './scan.js'
export { compileRule } from './match/compile.js'
export { looksLikePath } from './rules/rule-path.js'
export { SEVERITIES } from './rules/spec.js'
export { listLocalObjects } from './source/local.js'
export { streamObject } from './source/stream.js'
export { SKIP_WARNS } from './emit/summary.js'
export { ListingReport } from './source/listing-report.js'
export { isS3Uri } from './source/s3-uri.js'
export { parseInstant } from './time-window.js'
export { TrailscanError, lineColumn } from './errors.js'
