import { DECODE_DEFAULTS } from '../read/decompress.js'
import { readRecords } from '../read/records.js'
import type { CompiledRule } from '../match/matcher.js'
import { listLocalObjects } from '../source/local.js'

/**
 * What the rules do not look at. A rule "looks at" the eventSource/eventName pairs its index keys name, or its
 * field tests on eventName (and eventSource) pass;
 * rules constrained by neither (CIS 4.1 on errorCode, 4.3 on the root user) look at everything and so say
 * nothing about coverage, which is why they are left out of the second list's reckoning.
 */
export interface EventPair {
  eventSource: string
  eventName: string
  count: number
}

export interface Coverage {
  /** Rules that fired on no dataset. */
  neverFired: string[]
  /** eventSource/eventName pairs seen in the datasets that no rule names, most frequent first. */
  unwatched: EventPair[]
}

export function isWatched(rules: readonly CompiledRule[], eventSource: string, eventName: string): boolean {
  return rules.some((r) => {
    const names = r.indexKeys.eventName
    const sources = r.indexKeys.eventSource
    if (names === null) return watchedByFieldTests(r, eventSource, eventName)
    return names.includes(eventName) && (sources === null || sources.includes(eventSource))
  })
}

/**
 * A rule keyed by a field test on eventName (a Sigma rule, whose names compare case-insensitively; a CWL or
 * EventBridge prefix) looks at the pairs its eventName and eventSource tests let through.
 */
function watchedByFieldTests(r: CompiledRule, eventSource: string, eventName: string): boolean {
  const tests = r.fieldTests ?? []
  const names = tests.filter((t) => t.field === 'eventName')
  if (names.length === 0) return false
  return names.every((t) => t.test(eventName)) && tests.every((t) => t.field !== 'eventSource' || t.test(eventSource))
}

/** Every eventSource/eventName pair in the datasets' records, with counts. */
export async function eventPairs(dirs: readonly string[]): Promise<EventPair[]> {
  const counts = new Map<string, EventPair>()
  for await (const o of listLocalObjects(dirs)) {
    await readRecords(
      o,
      DECODE_DEFAULTS,
      (rt) => {
        let r: Record<string, unknown>
        try {
          r = JSON.parse(rt.json()) as Record<string, unknown>
        } catch {
          return // unreadable records are the scan's to report; coverage only counts what it can read
        }
        if (typeof r.eventSource !== 'string' || typeof r.eventName !== 'string') return
        const k = `${r.eventSource} ${r.eventName}`
        const p = counts.get(k)
        if (p) p.count++
        else counts.set(k, { eventSource: r.eventSource, eventName: r.eventName, count: 1 })
      },
      () => undefined,
    )
  }
  return [...counts.values()]
}

export async function coverage(dirs: readonly string[], rules: readonly CompiledRule[], fired: ReadonlySet<string>): Promise<Coverage> {
  const pairs = await eventPairs(dirs)
  return {
    neverFired: rules
      .map((r) => r.id)
      .filter((id) => !fired.has(id))
      .sort(),
    unwatched: pairs
      .filter((p) => !isWatched(rules, p.eventSource, p.eventName))
      .sort((a, b) => b.count - a.count || (a.eventSource + a.eventName < b.eventSource + b.eventName ? -1 : 1)),
  }
}
