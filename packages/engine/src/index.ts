/**
 * `@trailscan/engine`: what an embedder needs, and nothing else. A scan (`scan`), rule sets (`loadRuleSet`,
 * `compileRule`), sources (local paths, stdin, S3 listings and single S3 objects), findings, the summary and
 * errors, the two pattern-testing functions and dataset validation. The stages behind them (read, select,
 * match, emit) are internal: ARCHITECTURE.md maps them.
 */

// Scanning
export { scan } from './scan.js'
export type { ScanOptions, ScanLogger, AccountContext } from './scan.js'

// Rule sets
export { loadRuleSet } from './rules/rule-set.js'
export type { RuleSet, RuleSetOptions, RuleSnapshot } from './rules/rule-set.js'
export type { LoadResult, LoadedRule, PackInfo } from './rules/load.js'
export { parseYaml } from './rules/load.js'
export type { RuleDiagnostic } from './rules/schema.js'
export { SEVERITIES, LANGUAGES } from './rules/spec.js'
export type { RuleSpec, Severity, RuleLanguage, RuleReferences, AlarmSpec } from './rules/spec.js'
export { looksLikePath } from './rules/rule-path.js'
export { runExamples } from './rules/examples.js'
export type { ExampleResult } from './rules/examples.js'
export { compileRule } from './match/compile.js'
export type { CompileOptions, WildcardMode } from './match/cwl-filter/index.js'
export { DEFAULT_WILDCARD } from './match/cwl-filter/index.js'
export type { CompiledRule, IndexKeys, MatchContext, RuleHit, Exposure } from './match/matcher.js'
export { recordContext } from './match/context.js'
export { severityOf } from './emit/severity.js'

// Testing one pattern against one event, as the AWS APIs do
export { testMetricFilter } from './match/cwl-filter/index.js'
export { testEventPattern } from './match/eventbridge/index.js'

// Sources
export type { LogObject } from './source/log-object.js'
export type { KeyInfo, ObjectKind } from './source/key-layout.js'
export { listLocalObjects, localObject } from './source/local.js'
export type { LocalListOptions } from './source/local.js'
export { streamObject } from './source/stream.js'
export { ListingReport } from './source/listing-report.js'
export { createS3Client, listS3Objects, s3Object, parseS3Uri, isS3Uri, FatalS3Error, isFatalS3Error } from './source/s3.js'
export { ListingFault, RetryBudget, LIST_DEFAULTS, DEFAULT_OBJECT_TIMEOUT_MS, DEFAULT_RETRY_BUDGET } from './source/s3.js'
export { planShards, parsePlan, PLAN_VERSION } from './source/shard-plan.js'
export type { ShardPlan, PlannedShard, PlannedObject, PlanFilters, PlanState } from './source/shard-plan.js'
export { plannedObjects, plannedRefs } from './source/planned-objects.js'
export type { PlannedObjectsOptions } from './source/planned-objects.js'
export type { S3ClientOptions, ListS3Options, S3ListRequest, S3Location, RetryReport } from './source/s3.js'

// Findings, summary, errors
export type { Finding, Actor, Resource, UserAgentKind } from './emit/finding.js'
export type { Remediation, RemediationRecord } from './emit/exposure-tracker.js'
export { newEmitCarry, parseEmitCarry, CarryError, EMIT_CARRY_FORMAT, EMIT_CARRY_VERSION, DEFAULT_HORIZON_DAYS } from './emit/carry.js'
export { mergeEmitCarries } from './emit/carry-merge.js'
export type { CarryMerge } from './emit/carry-merge.js'
export type { EmitCarry, CarriedAlarmRule, CarriedAlarmPeriod, CarriedExposure, CarriedClosing } from './emit/carry.js'
export type { ScanSummary, ErrorEntry, SkipReason, SkippedEntry, RuleSkipReason, SkippedRule } from './emit/summary.js'
export { SKIP_WARNS, SKIPPED_LISTED } from './emit/summary.js'
export type { AlarmPeriod } from './emit/alarms.js'
export { mergeShards } from './emit/shard-merge.js'
export type { ShardManifest, ShardResult, MergedRun } from './emit/shard-merge.js'
export { Suppressor, isCalendarDate } from './emit/suppress.js'
export * from './formats.js'
export type { Suppression, SuppressionMark } from './emit/suppress.js'
export type { CloudTrailRecord, RecordSource } from './record.js'
export { parseInstant } from './time-window.js'
export type { TimeWindow } from './time-window.js'
export { TrailscanError, RuleSyntaxError, RuleSpecError, SourceReadError, RecordParseError, UsageError, lineColumn } from './errors.js'
export { CorruptStateError, StateConflictError, LeaseHeldError } from './errors.js'
export type { ErrorCode, Location } from './errors.js'

// State of scheduled scans (issue #14)
export type { StateStore, StateDocument, Lease, LeaseHolder, AcquireOptions } from './state/state-store.js'
export { LocalStateStore } from './state/local-store.js'
export { S3StateStore, DEFAULT_LEASE_MS, STATE_OBJECT, LEASE_OBJECT } from './state/s3-store.js'
export type { S3StateStoreOptions } from './state/s3-store.js'
export { STATE_FORMAT, STATE_VERSION, emptyState, parseState, serializeState } from './state/state-model.js'
export type { ScanState, DayGroup, LastRun, OutputMark } from './state/state-model.js'
export { StateLedger } from './state/state-ledger.js'
export { changeToken } from './source/log-object.js'
export { keyInWindow } from './source/key-filter.js'
export type { Verdict } from './state/state-ledger.js'
export { parseLookback, firstOpenDay } from './state/lookback.js'

// Validation against labelled datasets
export { validateDataset, techniqueCoverage } from './validate/dataset.js'
export type { DatasetOptions, DatasetReport, TechniqueCoverage } from './validate/dataset.js'
export { compareFindings } from './validate/compare.js'
export type { Comparison, RuleScore } from './validate/compare.js'
export {
  readExpectedFindings,
  readExpectedErrors,
  readExpectedTechniques,
  FINDINGS_FILE,
  ERRORS_FILE,
  TECHNIQUES_FILE,
} from './validate/expectations.js'
export type { ExpectedFinding, ExpectedError, ExpectedTechnique } from './validate/expectations.js'
export { coverage, eventPairs, isWatched } from './validate/coverage.js'
export type { Coverage, EventPair } from './validate/coverage.js'

// Delivery (`--to`): sinks in the emit stage, the shared retry policy, the undelivered outbox
export { Delivery, DELIVERY_FAILURES_LISTED } from './emit/delivery/delivery.js'
export type { DeliveryOptions, DeliveryReport, DeliverySummary, DestinationReport } from './emit/delivery/delivery.js'
export { parseDestination, createSink, isCleartextRemote, displayDestination, DESTINATION_FORMS } from './emit/delivery/destination.js'
export type { DestinationSpec, SinkOptions } from './emit/delivery/destination.js'
export type { DeliverySink, DeliveryFailure, SinkContext, SinkOutcome } from './emit/delivery/sink.js'
export type { AwsClientOptions } from './emit/delivery/aws-clients.js'
export { DEFAULT_RETRY } from './emit/delivery/retry.js'
export type { RetryPolicy } from './emit/delivery/retry.js'
export { emptyOutbox, parseOutbox, outboxSize, OUTBOX_VERSION } from './emit/delivery/outbox.js'
export type { Outbox, OutboxEntry } from './emit/delivery/outbox.js'
