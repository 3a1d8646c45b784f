// Engine stages the benchmarks time on their own (read; a finding's build), which `@trailscan/engine`'s public
// API does not export: taken from the built files. The rest of the benchmarks use the public API.
export { readRecords } from '../../packages/engine/dist/read/records.js'
export { DECODE_DEFAULTS, decodeObject } from '../../packages/engine/dist/read/decompress.js'
export { buildFinding } from '../../packages/engine/dist/emit/finding.js'
export { parseCloudTrailKey } from '../../packages/engine/dist/source/key-layout.js'
