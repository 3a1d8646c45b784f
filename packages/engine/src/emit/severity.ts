import type { RuleHit } from '../match/matcher.js'
import { SEVERITIES, type Severity } from '../rules/spec.js'

/** What a context file says about an account (`--context`). */
export interface AccountContext {
  name?: string
  environment?: string
  owner?: string
}

/** Status of a public grant raised to critical because its account is production. */
export const PRODUCTION_EXPOSURE = 'public grant in a production account'

/** Status of a failed call, in every pack and language: the record has an errorCode, so nothing changed. */
export const ATTEMPT = 'attempt'

const rank = (s: Severity): number => SEVERITIES.indexOf(s)

/**
 * Where a finding's severity is decided, and nowhere else: the rule's own severity, moved by what the hit
 * showed, by the record's outcome and by the account it happened in.
 * - a call that failed (`errorCode` on the record, or a check that says so) is an attempt: medium, whatever the
 *   rule says; `status` is exactly `attempt`, and `attempt` is the explanation the finding's details carry;
 * - a grant of write access is critical;
 * - a hit whose check found the dangerous form of the change (`raise`, e.g. SSH open to the internet under
 *   cis-4.10) takes that severity when it is higher than the rule's;
 * - a public exposure in an account whose context says `environment: production` is critical, with the
 *   status saying why.
 * `status` is the hit's own otherwise.
 */
export function severityOf(
  ruleSeverity: Severity,
  hit: Pick<RuleHit, 'impact' | 'exposure' | 'status' | 'raise'>,
  account?: AccountContext,
  errorCode?: string | null,
): { severity: Severity; status: string | null; attempt?: string } {
  if (hit.impact === 'attempt' || (errorCode !== undefined && errorCode !== null))
    return { severity: 'medium', status: ATTEMPT, attempt: `the call failed${errorCode ? ` with ${errorCode}` : ''}: nothing changed` }
  const status = hit.status ?? null
  if (hit.impact === 'write') return { severity: 'critical', status }
  const own = hit.raise && rank(hit.raise) > rank(ruleSeverity) ? hit.raise : ruleSeverity
  if (hit.exposure && account?.environment?.toLowerCase() === 'production' && own !== 'critical')
    return { severity: 'critical', status: PRODUCTION_EXPOSURE }
  return { severity: own, status }
}
