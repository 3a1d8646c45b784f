import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { recordContext, severityOf, type CompiledRule } from '@trailscan/engine'
import { parsedRecords } from '../../engine/test/support/crafted-layouts.mjs'
import { stringifyAnyDepth } from '../../engine/test/support/stringify-any-depth.js'

/**
 * The slow, obviously-correct twin of scan(): read each file whole, JSON.parse it whole (or line by line),
 * and run every rule on every record, with no splitter, no index and no prefilter.
 */
export interface Hit {
  ruleId: string
  eventId: string
  severity: string
}

const LOG_NAME = /\.(json|jsonl|ndjson|gz|log)$/

/** The log files of a dataset that the reference reads whole (it skips the others). */
export function readableLogFiles(dir: string): string[] {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => LOG_NAME.test(f) && !/expected-/.test(f))
  return files
    .filter((f) => {
      try {
        parsedRecords(readFileSync(join(dir, f)))
        return true
      } catch {
        return false
      }
    })
    .map((f) => join(dir, f))
}

export function generalPathHits(dir: string, rules: readonly CompiledRule[]): Hit[] {
  const hits = new Map<string, Hit>()
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => LOG_NAME.test(f) && !/expected-/.test(f))
  for (const f of files) {
    let recs: unknown[]
    try {
      recs = parsedRecords(readFileSync(join(dir, f)))
    } catch {
      continue // unreadable files are the malformed fixtures; what they still yield is the reader's business
    }
    for (const r of recs) {
      if (typeof r !== 'object' || r === null || Array.isArray(r)) continue
      const rec = r as Record<string, unknown>
      if (rec.eventType === 'AwsCloudTrailInsight' || f.includes('CloudTrail-Insight') || f.includes('CloudTrail-Digest')) continue
      for (const rule of rules) {
        const h = rule.match(recordContext(rec, stringifyAnyDepth(rec)))
        if (!h) continue
        // A failed call is an attempt whatever the rule: the record's errorCode goes to the one severity rule too.
        const errorCode = typeof rec.errorCode === 'string' ? rec.errorCode : null
        const hit = {
          ruleId: rule.id,
          eventId: String(rec.eventID),
          severity: severityOf(rule.spec.severity, h, undefined, errorCode).severity,
        }
        hits.set(`${hit.ruleId} ${hit.eventId}`, hit)
      }
    }
  }
  return [...hits.values()].sort((a, b) => (`${a.ruleId} ${a.eventId}` < `${b.ruleId} ${b.eventId}` ? -1 : 1))
}
