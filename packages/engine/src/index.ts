export { TrailscanError, RuleSyntaxError, RuleSpecError, SourceReadError, RecordParseError, UsageError } from './errors.js'
export type { ErrorCode, Location } from './errors.js'
