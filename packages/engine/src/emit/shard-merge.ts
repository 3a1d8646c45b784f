import { UsageError } from '../errors.js'
import type { ShardPlan } from '../source/shard-plan.js'
import type { AlarmPeriod } from './alarms.js'
import type { EmitCarry } from './carry.js'
import { mergeEmitCarries } from './carry-merge.js'
import type { RemediationRecord } from './exposure-tracker.js'
import type { Finding } from './finding.js'
import { countFinding, emptySummary, SKIPPED_LISTED, type ScanSummary, type SkipReason } from './summary.js'

/** What one shard scan leaves beside its findings: which plan and shard it ran, and what it needs merged. */
export interface ShardManifest {
  kind: 'trailscan-shard'
  version: 1
  planId: string
  shard: number
  shards: number
  /** False when the scan was stopped before its last object: its outputs cover part of the shard only. */
  complete: boolean
  /**
   * What the shard's alarms and exposure tracking saw (emit/carry.ts), every shard starting from the same carry:
   * merge joins them, so an alarm period or an exposure and its closing split across shards count as in one scan.
   */
  carry: EmitCarry
  summary: ScanSummary
}

export interface ShardResult {
  /** Where the shard's outputs were read from, for messages. */
  where: string
  manifest: ShardManifest
  /** In the order the shard wrote them. */
  findings: Finding[]
}

export interface MergedRun {
  findings: Finding[]
  alarms: AlarmPeriod[]
  remediations: RemediationRecord[]
  summary: ScanSummary
  /** The carry one scan of the whole plan would have left (for the next run's state). */
  carry: EmitCarry
}

/**
 * N shard scans → what one scan of the whole plan writes: findings in listing order with public exposures last
 * (oldest first), one finding per id, exposures matched to every shard's closing calls, alarm periods counted
 * over every shard (emit/carry-merge.ts), and one summary. Refuses a
 * missing, duplicated, foreign or interrupted shard, naming it: a merge over part of the plan would look like a
 * complete run.
 */
export function mergeShards(plan: ShardPlan, parts: readonly ShardResult[]): MergedRun {
  const byIndex = new Map<number, ShardResult>()
  for (const p of parts) {
    const m = p.manifest
    if (m.planId !== plan.planId) throw new UsageError(`${p.where}: made from another plan (${m.planId}, not ${plan.planId})`)
    const other = byIndex.get(m.shard)
    if (other) throw new UsageError(`shard ${m.shard} is given twice: ${other.where} and ${p.where}`)
    if (!m.complete) throw new UsageError(`${p.where}: shard ${m.shard} was interrupted before its last object; run it again`)
    byIndex.set(m.shard, p)
  }
  const missing = plan.shards.map((s) => s.index).filter((i) => !byIndex.has(i))
  if (missing.length > 0)
    throw new UsageError(`shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${plan.shards.length} missing`)

  const seq = new Map<string, number>()
  for (const s of plan.shards) for (const o of s.objects) seq.set(o.uri, o.seq)
  const ordered = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, p]) => p)
  const place = (f: Finding): [number, number] => [seq.get(f.source.uri) ?? Number.MAX_SAFE_INTEGER, f.source.recordIndex]
  const all = ordered.flatMap((p) => p.findings)
  all.sort((a, b) => {
    const [sa, ra] = place(a)
    const [sb, rb] = place(b)
    return sa - sb || ra - rb
  })

  const summary = mergeSummaries(
    plan,
    ordered.map((p) => p.manifest.summary),
  )
  // Errors in listing order, as one scan meets them (a stable sort keeps each object's own errors in order).
  const at = (object: string | undefined): number => (object === undefined ? -1 : (seq.get(object) ?? -1))
  summary.errors.sort((a, b) => at(a.object) - at(b.object))
  const seen = new Set<string>()
  const inOrder: Finding[] = []
  const exposures: Finding[] = []
  for (const f of all) {
    if (seen.has(f.id)) {
      summary.findings.duplicates++
      continue
    }
    seen.add(f.id)
    ;(isHeldExposure(f) ? exposures : inOrder).push(f)
  }
  // A single scan holds public exposures to its end and writes them oldest first (emit/finding-sink.ts).
  const time = (f: Finding): string => f.eventTime ?? ''
  exposures.sort((a, b) => (time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0))
  const findings = [...inOrder, ...exposures]

  const carried = mergeEmitCarries(ordered.map((p) => p.manifest.carry))
  for (const f of exposures) {
    const remediated = carried.remediated.get(f.id)
    if (remediated !== undefined) f.details = { ...f.details, remediated }
  }
  for (const f of findings) if (!isSuppressed(f)) countFinding(summary, f)
  summary.alarms = carried.alarms
  if (carried.remediations.length > 0) summary.remediations = carried.remediations
  return { findings, alarms: carried.alarms, remediations: carried.remediations, summary, carry: carried.carry }
}

function isHeldExposure(f: Finding): boolean {
  return f.details !== null && typeof f.details === 'object' && 'exposure' in f.details
}

/** Written with --show-suppressed: in the output, but neither counted nor alarmed on. */
function isSuppressed(f: Finding): boolean {
  return (f as { suppressed?: unknown }).suppressed !== undefined
}

/** The shards' summaries added up, with what the plan left out of every shard counted as a single scan counts it. */
function mergeSummaries(plan: ShardPlan, parts: readonly ScanSummary[]): ScanSummary {
  const out = emptySummary(new Date(Math.min(...parts.map((s) => Date.parse(s.startedAt)).filter((t) => !Number.isNaN(t)), Date.now())))
  for (const s of parts) {
    for (const k of Object.keys(out.objects) as (keyof ScanSummary['objects'])[]) out.objects[k] += s.objects[k]
    out.bytes.stored += s.bytes.stored
    out.bytes.decompressed += s.bytes.decompressed
    out.records.read += s.records.read
    out.records.filteredOut += s.records.filteredOut
    out.records.failed += s.records.failed
    out.findings.duplicates += s.findings.duplicates
    out.findings.suppressed += s.findings.suppressed
    addSkipped(out, s.skipped.byReason, s.skipped.first)
    out.errors.push(...s.errors)
    if (s.retries) {
      const r = (out.retries ??= { used: 0, budget: 0, exhausted: false })
      r.used += s.retries.used
      r.budget += s.retries.budget
      r.exhausted ||= s.retries.exhausted
    }
    out.durationMs = Math.max(out.durationMs, s.durationMs)
  }
  for (const [why, n] of Object.entries(plan.excluded)) {
    if (why === 'listed twice') continue
    out.objects.listed += n
    if (why === 'digest') out.objects.digests += n
    else if (why === 'insight') out.objects.insights += n
    else out.objects.pruned += n
  }
  if (plan.listing) {
    out.objects.skipped += plan.listing.skippedCount
    addSkipped(out, plan.listing.skipped.byReason, plan.listing.skipped.first)
  }
  const secs = Math.max(out.durationMs, 1) / 1000
  out.throughput = {
    recordsPerSecond: Math.round(out.records.read / secs),
    decompressedMBPerSecond: Math.round((out.bytes.decompressed / 1e6 / secs) * 10) / 10,
  }
  return out
}

function addSkipped(out: ScanSummary, byReason: ScanSummary['skipped']['byReason'], first: ScanSummary['skipped']['first']): void {
  for (const [why, n] of Object.entries(byReason) as [SkipReason, number][])
    out.skipped.byReason[why] = (out.skipped.byReason[why] ?? 0) + n
  for (const e of first) if (out.skipped.first.length < SKIPPED_LISTED) out.skipped.first.push(e)
}
