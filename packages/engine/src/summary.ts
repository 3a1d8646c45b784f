import type { AlarmPeriod } from './alarms.js'
import type { TrailscanError } from './errors.js'
import type { Finding } from './finding.js'
import { SEVERITIES, type Severity } from './rule/spec.js'

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
  errors: ErrorEntry[]
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
    objects: { listed: 0, read: 0, failed: 0, digests: 0, insights: 0, pruned: 0 },
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
