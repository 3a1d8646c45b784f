import type { Finding } from './finding.js'
import { globMatcher } from '../match/glob.js'

/**
 * Known benign callers (CI/CD roles, infrastructure-as-code pipelines) that public-bucket and CIS alerts are
 * prone to. An entry matches by rule, principal ARN, account and user agent (each optional, `*` wildcards,
 * all given fields must match), carries a reason, and expires: an expired entry stops applying. Suppressed
 * findings are counted and can be shown; they are never dropped silently.
 */
export interface Suppression {
  rule?: string
  principal?: string
  account?: string
  userAgent?: string
  reason: string
  /** ISO date; the entry applies until the end of that day (UTC). */
  expires: string
}

/**
 * Whether `text` starts with a real calendar date `YYYY-MM-DD`. Date.parse is no check: V8 reads 2099-02-30 as
 * 2 March. An expiry that is no date would otherwise silently mean some other day.
 */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(Date.UTC(y, mo - 1, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d
}

export interface SuppressionMark {
  reason: string
  expires: string
  /** Index of the entry in its file, to find it again. */
  entry: number
}

type Test = (value: string) => boolean

/**
 * Entry fields are globs: `*` any run, every other character literal (`?` too), case-sensitive. The shared linear
 * matcher, since the user agent compared comes from the record: a RegExp `^.*a.*b.*$` backtracks on long values.
 */
function glob(pattern: string): Test {
  return globMatcher(pattern)
}

interface Compiled {
  index: number
  s: Suppression
  rule?: Test
  principal?: Test
  account?: Test
  userAgent?: Test
}

export class Suppressor {
  private readonly active: Compiled[]
  /** Entries whose expiry has passed: they no longer apply, and the caller should warn about each. */
  readonly expired: { index: number; suppression: Suppression }[] = []

  constructor(entries: readonly Suppression[], now: Date = new Date()) {
    this.active = []
    entries.forEach((s, index) => {
      const end = isCalendarDate(s.expires) ? Date.parse(`${s.expires.slice(0, 10)}T23:59:59.999Z`) : NaN
      // An entry whose expiry is no date never applies.
      if (!(end >= now.getTime())) {
        this.expired.push({ index, suppression: s })
        return
      }
      const c: Compiled = { index, s }
      if (s.rule !== undefined) c.rule = glob(s.rule)
      if (s.principal !== undefined) c.principal = glob(s.principal)
      if (s.account !== undefined) c.account = glob(s.account)
      if (s.userAgent !== undefined) c.userAgent = glob(s.userAgent)
      this.active.push(c)
    })
  }

  /** The first active entry matching the finding, or undefined. */
  match(f: Finding): SuppressionMark | undefined {
    for (const c of this.active) {
      if (c.rule && !c.rule(f.ruleId)) continue
      if (c.principal && !c.principal(f.actor.arn ?? '')) continue
      if (c.account && !c.account(f.account ?? '')) continue
      if (c.userAgent && !c.userAgent(f.userAgent ?? '')) continue
      return { reason: c.s.reason, expires: c.s.expires, entry: c.index }
    }
    return undefined
  }
}
