import type { RuleHit } from '../match/matcher.js'
import type { Severity } from '../rules/spec.js'

/** What a context file says about an account (`--context`). */
export interface AccountContext {
  name?: string
  environment?: string
  owner?: string
}

/** Status of a public grant raised to critical because its account is production. */
export const PRODUCTION_EXPOSURE = 'public grant in a production account'

/**
 * Where a finding's severity is decided, and nowhere else: the rule's own severity, moved by what the hit
 * showed and by the account it happened in.
 * - a call that failed is an attempt: medium, whatever the rule says (it opened nothing);
 * - a grant of write access is critical;
 * - a public exposure in an account whose context says `environment: production` is critical, with the
 *   status saying why.
 * `status` is the hit's own, or the production one when that raised the severity.
 */
export function severityOf(
  ruleSeverity: Severity,
  hit: Pick<RuleHit, 'impact' | 'exposure' | 'status'>,
  account?: AccountContext,
): { severity: Severity; status: string | null } {
  const status = hit.status ?? null
  if (hit.impact === 'attempt') return { severity: 'medium', status }
  if (hit.impact === 'write') return { severity: 'critical', status }
  if (hit.exposure && account?.environment?.toLowerCase() === 'production' && ruleSeverity !== 'critical')
    return { severity: 'critical', status: PRODUCTION_EXPOSURE }
  return { severity: ruleSeverity, status }
}
