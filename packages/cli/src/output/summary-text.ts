import type { DeliverySummary, ScanSummary, SkipReason } from '@trailscan/engine'
import { naturalCompare } from './natural-order.js'
import { escapeControls } from './terminal-text.js'

const MAX_ERRORS_SHOWN = 20
const MAX_SKIPPED_SHOWN = 20
const MAX_DELIVERY_FAILURES_SHOWN = 5

const SKIP_WORDS: Record<SkipReason, string> = {
  'not-cloudtrail': 'not CloudTrail',
  'not-regular-file': 'not a regular file',
  'symlink-loop': 'symlink loop',
  duplicate: 'already read through another path',
  hidden: 'hidden',
  'dataset-file': 'dataset expectation file',
}

const RULE_SKIP_WORDS = { logsource: 'for another logsource', unsupported: 'unsupported', invalid: 'not valid Sigma' } as const

/** "2 not CloudTrail, 1 not a regular file" from counts by reason. */
export function skippedWhy(counts: [string, number][]): string {
  const order = Object.keys(SKIP_WORDS)
  return [...counts]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([r, c]) => `${c} ${SKIP_WORDS[r as SkipReason] ?? r}`)
    .join(', ')
}

/** Per `--to` destination: sent, failed (with the first few failures), and what waits in the outbox. */
function deliveryLines(d: DeliverySummary): string[] {
  const lines = [`  delivery  ${d.undelivered > 0 ? `${d.undelivered} undelivered (kept in the outbox)` : 'all delivered'}`]
  for (const r of d.destinations) {
    const min = r.minSeverity ? ` (${r.minSeverity} and above)` : ''
    const retried = r.retries ? `, ${r.retries} retried` : ''
    const old = r.fromOutbox ? `, ${r.fromOutbox} from earlier runs` : ''
    lines.push(`    ${escapeControls(r.destination)}${min}: ${r.sent} sent, ${r.failed} failed${retried}${old}`)
    for (const f of r.failures.slice(0, MAX_DELIVERY_FAILURES_SHOWN))
      lines.push(
        `      ${escapeControls(f.findingId)} ${escapeControls(f.ruleId)}: ${escapeControls(f.code)}: ${escapeControls(f.message)}`,
      )
    if (r.failed > MAX_DELIVERY_FAILURES_SHOWN)
      lines.push(`      … ${r.failed - MAX_DELIVERY_FAILURES_SHOWN} more (see the log and --summary-json)`)
  }
  for (const w of d.waiting) lines.push(`    ${escapeControls(w.destination)}: ${w.findings} waiting (not a destination of this run)`)
  return lines
}

/**
 * The human summary every scan ends with, on stderr. `stoppedBy` says why an interrupted scan stopped. Object
 * names, rule ids and messages come from the data: they are escaped (terminal-text.ts).
 */
export function summaryText(s: ScanSummary, stoppedBy?: string): string {
  const o = s.objects
  const lines = [
    s.interrupted ? `Summary (interrupted${stoppedBy ? ` by ${stoppedBy}` : ''}: objects not yet read were skipped)` : 'Summary',
    `  objects   ${o.listed} listed, ${o.read} read, ${o.failed} with errors, ${o.digests} digest, ${o.insights} insight, ${o.pruned} pruned by filters`,
    `  bytes     ${s.bytes.stored} stored, ${s.bytes.decompressed} decompressed`,
    `  records   ${s.records.read} read, ${s.records.filteredOut} outside filters, ${s.records.failed} unreadable`,
    `  findings  ${s.findings.total}${s.findings.duplicates ? ` (${s.findings.duplicates} duplicate deliveries dropped)` : ''}${s.findings.suppressed ? `, ${s.findings.suppressed} suppressed` : ''}`,
  ]
  const sev = Object.entries(s.findings.bySeverity).filter(([, n]) => n > 0)
  if (sev.length) lines.push(`    by severity  ${sev.map(([k, n]) => `${k} ${n}`).join(', ')}`)
  const rules = Object.entries(s.findings.byRule).sort(([a], [b]) => naturalCompare(a, b))
  // One column for the counts, as wide as the longest rule id (an id past 64 characters pushes only its own count).
  const ids = rules.map(([id]) => escapeControls(id))
  const width = Math.min(64, Math.max(32, ...ids.map((id) => id.length)))
  rules.forEach(([, n], i) => lines.push(`    ${ids[i]!.padEnd(width)} ${n}`))
  if (o.skipped > 0) {
    lines.push(`  skipped   ${o.skipped} (${skippedWhy(Object.entries(s.skipped.byReason))})`)
    for (const k of s.skipped.first.slice(0, MAX_SKIPPED_SHOWN)) lines.push(`    ${escapeControls(k.object)}: ${escapeControls(k.detail)}`)
    if (o.skipped > MAX_SKIPPED_SHOWN)
      lines.push(`    … ${o.skipped - MAX_SKIPPED_SHOWN} more (the first ${s.skipped.first.length} in --summary-json)`)
  }
  const rs = s.rulesSkipped
  if (rs) {
    const why = (['logsource', 'unsupported', 'invalid'] as const).flatMap((r) =>
      rs.byReason[r] ? [`${rs.byReason[r]} ${RULE_SKIP_WORDS[r]}`] : [],
    )
    lines.push(`  rules     ${rs.total} skipped (${why.join(', ')}; listed by rules check)`)
  }
  if (s.alarms.length) lines.push(`  alarms    ${s.alarms.length} alarm periods`)
  if (s.delivery) lines.push(...deliveryLines(s.delivery))
  if (s.remediations?.length) lines.push(`  remediated ${s.remediations.length} exposures found by an earlier run`)
  if (s.retries)
    lines.push(
      `  retries   ${s.retries.used} of ${s.retries.budget} (S3 retry budget)${s.retries.exhausted ? ', exhausted: later failures were not retried' : ''}`,
    )
  lines.push(`  errors    ${s.errors.length}`)
  for (const e of s.errors.slice(0, MAX_ERRORS_SHOWN)) {
    const where = [e.object, e.recordIndex !== undefined ? `record ${e.recordIndex}` : undefined].filter(Boolean).join(' ')
    lines.push(`    ${where ? `${escapeControls(where)}: ` : ''}${escapeControls(e.message)}`)
  }
  if (s.errors.length > MAX_ERRORS_SHOWN) lines.push(`    … ${s.errors.length - MAX_ERRORS_SHOWN} more (see --summary-json)`)
  const secs = (s.durationMs / 1000).toFixed(2)
  lines.push(`  time      ${secs} s, ${s.throughput.recordsPerSecond} records/s, ${s.throughput.decompressedMBPerSecond} MB/s decompressed`)
  return `${lines.join('\n')}\n`
}
