import type { AlarmPeriod } from './alarms.js'
import type { RemediationRecord } from './exposure-tracker.js'
import type { TrailscanError } from '../errors.js'
import type { Finding } from './finding.js'
import type { RuleDiagnostic } from '../rules/schema.js'
import { SEVERITIES, type Severity } from '../rules/spec.js'

/**
 * Why a file was not scanned. `not-cloudtrail`: its first bytes are not gzip or a JSON document of CloudTrail
 * records or a digest; `not-regular-file`: a FIFO, socket or device; `symlink-loop`: a link to a directory being
 * walked; `duplicate`: a file or directory already read through another path (symlink or hard link);
 * `hidden`: a dot file or directory, or node_modules; `dataset-file`: Trailscan's own expected-*.jsonl.
 */
export type SkipReason = 'not-cloudtrail' | 'not-regular-file' | 'symlink-loop' | 'duplicate' | 'hidden' | 'dataset-file'

/** The reasons that can hide logs by accident: the CLI warns about these; the others are policy, listed only. */
export const SKIP_WARNS: ReadonlySet<SkipReason> = new Set(['not-cloudtrail', 'not-regular-file', 'symlink-loop'])

export interface SkippedEntry {
  object: string
  reason: SkipReason
  /** What was seen, e.g. "FIFO", "not gzip or JSON", "directory already read as <path>". */
  detail: string
}

export const SKIPPED_LISTED = 100

export type RuleSkipReason = NonNullable<RuleDiagnostic['skipped']>

export interface SkippedRule {
  ruleId?: string
  file?: string
  line?: number
  column?: number
  reason: RuleSkipReason
  message: string
}

/** Counts the skipped rules among a rule set's diagnostics into the summary. */
export function countSkippedRules(s: ScanSummary, diagnostics: readonly RuleDiagnostic[]): void {
  for (const d of diagnostics) {
    if (d.skipped === undefined) continue
    const r = (s.rulesSkipped ??= { total: 0, byReason: {}, first: [] })
    r.total++
    r.byReason[d.skipped] = (r.byReason[d.skipped] ?? 0) + 1
    if (r.first.length >= SKIPPED_LISTED) continue
    const entry: SkippedRule = { reason: d.skipped, message: d.message }
    for (const k of ['ruleId', 'file', 'line', 'column'] as const) if (d[k] !== undefined) Object.assign(entry, { [k]: d[k] })
    r.first.push(entry)
  }
}

export interface ErrorEntry {
  code: string
  message: string
  object?: string
  recordIndex?: number
  offset?: number
}

/** Everything a run did, for the human summary on stderr and for --summary-json. */
export interface ScanSummary {
  objects: {
    listed: number
    read: number
    failed: number
    digests: number
    insights: number
    /** Skipped before reading because the key's account, region or delivery date is outside the filters. */
    pruned: number
    /**
     * Files passed over: by a directory walk, or after their first bytes showed they are not CloudTrail (those
     * were listed too, so listed = read + digests + insights + pruned + those).
     */
    skipped: number
  }
  /** Why files were skipped (counts) and the first few, so that 100,000 of them cannot flood the summary. */
  skipped: {
    byReason: Partial<Record<SkipReason, number>>
    /** The first SKIPPED_LISTED, in the order met; `objects.skipped` is the total. */
    first: SkippedEntry[]
  }
  bytes: { stored: number; decompressed: number }
  records: {
    read: number
    /** Outside --start/--end, --account or --region. */
    filteredOut: number
    /** Records that could not be parsed or were not objects. */
    failed: number
  }
  findings: {
    total: number
    byRule: Record<string, number>
    bySeverity: Record<Severity, number>
    /** Same rule on the same eventID again (CloudTrail may deliver an event twice); reported once. */
    duplicates: number
    suppressed: number
  }
  alarms: AlarmPeriod[]
  /**
   * Rules loaded but not run (ScanOptions.ruleDiagnostics): Sigma rules for another logsource, or using what
   * Trailscan does not run, or not valid Sigma. Absent when none was skipped.
   */
  rulesSkipped?: {
    total: number
    byReason: Partial<Record<RuleSkipReason, number>>
    /** The first SKIPPED_LISTED, in load order. */
    first: SkippedRule[]
  }
  /**
   * Public exposures found by earlier runs that this run saw closed (a scan given `ScanOptions.carry`); absent
   * when there are none.
   */
  remediations?: RemediationRecord[]
  errors: ErrorEntry[]
  /** The run's retry budget (S3 runs): retries used, the budget, whether a failure went unretried for lack of it. */
  retries?: { used: number; budget: number; exhausted: boolean }
  /**
   * The scan was stopped (ScanOptions.signal) before every object was read: the counts cover what was read
   * until then. Absent on a complete scan.
   */
  interrupted?: true
  startedAt: string
  durationMs: number
  throughput: { recordsPerSecond: number; decompressedMBPerSecond: number }
}

export function emptySummary(now = new Date()): ScanSummary {
  return {
    objects: { listed: 0, read: 0, failed: 0, digests: 0, insights: 0, pruned: 0, skipped: 0 },
    skipped: { byReason: {}, first: [] },
    bytes: { stored: 0, decompressed: 0 },
    records: { read: 0, filteredOut: 0, failed: 0 },
    findings: {
      total: 0,
      byRule: {},
      bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
      duplicates: 0,
      suppressed: 0,
    },
    alarms: [],
    errors: [],
    startedAt: now.toISOString(),
    durationMs: 0,
    throughput: { recordsPerSecond: 0, decompressedMBPerSecond: 0 },
  }
}

export function countFinding(s: ScanSummary, f: Finding): void {
  s.findings.total++
  s.findings.byRule[f.ruleId] = (s.findings.byRule[f.ruleId] ?? 0) + 1
  s.findings.bySeverity[f.severity]++
}

/** Counts a skipped file; only the first SKIPPED_LISTED are kept by name. */
export function countSkipped(s: ScanSummary, object: string, reason: SkipReason, detail: string): void {
  s.objects.skipped++
  s.skipped.byReason[reason] = (s.skipped.byReason[reason] ?? 0) + 1
  if (s.skipped.first.length < SKIPPED_LISTED) s.skipped.first.push({ object, reason, detail })
}

export function errorEntry(e: TrailscanError): ErrorEntry {
  const entry: ErrorEntry = { code: e.code, message: e.message }
  const l = e.location
  if (l?.object !== undefined) entry.object = l.object
  if (l?.recordIndex !== undefined) entry.recordIndex = l.recordIndex
  if (l?.offset !== undefined) entry.offset = l.offset
  return entry
}

export function finishSummary(s: ScanSummary, startedMs: number, nowMs: number): void {
  s.durationMs = Math.max(0, nowMs - startedMs)
  const secs = Math.max(s.durationMs, 1) / 1000
  s.throughput = {
    recordsPerSecond: Math.round(s.records.read / secs),
    decompressedMBPerSecond: Math.round((s.bytes.decompressed / 1e6 / secs) * 10) / 10,
  }
}
