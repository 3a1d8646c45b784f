export { scan } from './scan.js'
export type { ScanOptions, ScanLogger, AccountContext } from './scan.js'
export type { ScanSummary, ErrorEntry } from './summary.js'
export type { AlarmPeriod } from './alarms.js'
export { compileRule } from './rule/compile.js'
export { loadRules, looksLikePath } from './rule/load.js'
export type { LoadResult, LoadedRule, PackInfo } from './rule/load.js'
export { checkRuleShape } from './rule/schema.js'
export type { RuleDiagnostic } from './rule/schema.js'
export { SEVERITIES, LANGUAGES } from './rule/spec.js'
export type { RuleSpec, Severity, RuleLanguage, RuleReferences, AlarmSpec } from './rule/spec.js'
export type { CompiledRule, IndexKeys, MatchContext, RuleHit } from './rule/matcher.js'
export { RuleIndex } from './rule/rule-index.js'
export { compileCwlFilter, parseCwlFilter, testMetricFilter } from './rule/cwl-filter/index.js'
export type { CwlFilter } from './rule/cwl-filter/index.js'
export { compileEventPattern, parseEventPattern, testEventPattern, toEventBridgeEnvelope } from './rule/eventbridge/index.js'
export type { EventPattern } from './rule/eventbridge/index.js'
export { readRecords } from './read/records.js'
export type { RecordText, ObjectReadResult } from './read/records.js'
export { DECODE_DEFAULTS } from './read/decompress.js'
export { listLocalObjects, localObject } from './source/local.js'
export type { LocalListOptions } from './source/local.js'
export { parseCloudTrailKey } from './source/key-layout.js'
export type { KeyInfo, ObjectKind } from './source/key-layout.js'
export type { LogObject } from './source/log-object.js'
export { buildFinding, userAgentKind, resourceOf } from './finding.js'
export type { Finding, Actor, Resource, UserAgentKind } from './finding.js'
export type { CloudTrailRecord, RecordSource } from './record.js'
export { parseInstant } from './time-window.js'
export type { TimeWindow } from './time-window.js'
export {
  TrailscanError,
  RuleSyntaxError,
  RuleSpecError,
  SourceReadError,
  RecordParseError,
  UsageError,
  lineColumn,
} from './errors.js'
export type { ErrorCode, Location } from './errors.js'
