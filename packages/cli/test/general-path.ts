import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { recordContext, type CompiledRule } from '@trailscan/engine'
// @ts-expect-error: plain JS test support, shared with the engine's tests and benchmarks/compare-paths.mjs
import { parsedRecords } from '../../engine/test/support/crafted-layouts.mjs'

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
  return files.filter((f) => {
    try {
      parsedRecords(readFileSync(join(dir, f)))
      return true
    } catch {
      return false
    }
  }).map((f) => join(dir, f))
}

export function generalPathHits(dir: string, rules: readonly CompiledRule[]): Hit[] {
  const hits = new Map<string, Hit>()
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => LOG_NAME.test(f) && !/expected-/.test(f))
  for (const f of files) {
    let recs: unknown[]
    try {
      recs = parsedRecords(readFileSync(join(dir, f))) as unknown[]
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
        const hit = { ruleId: rule.id, eventId: String(rec.eventID), severity: h.severity ?? rule.spec.severity }
        hits.set(`${hit.ruleId} ${hit.eventId}`, hit)
      }
    }
  }
  return [...hits.values()].sort((a, b) => (`${a.ruleId} ${a.eventId}` < `${b.ruleId} ${b.eventId}` ? -1 : 1))
}

/**
 * JSON.stringify for parsed JSON values, without recursion: a record nested thousands of levels deep (the hostile
 * dataset's policy) overflows the stack of JSON.stringify, which recordContext would otherwise call. Same output.
 */
export function stringifyAnyDepth(value: unknown): string {
  // Raw pieces (brackets, commas, keys) are wrapped so no value of the record can be taken for one.
  class Raw {
    constructor(readonly text: string) {}
  }
  const out: string[] = []
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (v instanceof Raw) out.push(v.text)
    else if (Array.isArray(v)) {
      out.push('[')
      stack.push(new Raw(']'))
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(v[i] === undefined ? null : v[i])
        if (i > 0) stack.push(new Raw(','))
      }
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined)
      out.push('{')
      stack.push(new Raw('}'))
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push(entries[i]![1])
        stack.push(new Raw(`${i > 0 ? ',' : ''}${JSON.stringify(entries[i]![0])}:`))
      }
    } else out.push(JSON.stringify(v) ?? 'null')
  }
  return out.join('')
}
