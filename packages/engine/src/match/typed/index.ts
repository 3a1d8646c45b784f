import { RuleSpecError } from '../../errors.js'
import { str } from '../../record.js'
import type { CompiledRule, MatchContext, RuleHit } from '../matcher.js'
import type { RuleSpec } from '../../rules/spec.js'
import { CHECK_PARAMS, CHECKS, type CheckResult } from './checks.js'
import type { CloudTrailRecord } from '../../record.js'
import { strings } from './values.js'

export { disabledBpaSettings } from './checks.js'
export { bodyGrants, headerGrants } from './s3-acl.js'
export { parsePolicy, publicStatements } from './s3-policy.js'

/**
 * A typed rule names a check from the closed vocabulary in checks.ts, the event names it applies to, and the
 * check's parameters:
 *   pattern: { eventSource: s3.amazonaws.com, eventName: [PutBucketAcl], check: s3-acl-public, shape: body }
 * A hit says what the check saw (write access; a failed call, which opened nothing, so it is an attempt, never
 * an exposure); emit/severity.ts turns that into the finding's severity.
 */
/** A check for a rule's `raise`: by name, with no parameters. */
export function raiseCheck(name: string): (record: CloudTrailRecord, params: Record<string, unknown>) => CheckResult | null {
  const check = CHECKS[name]
  if (!check) throw new RuleSpecError(`raise.check must be one of ${Object.keys(CHECKS).join(', ')}`)
  return check
}

const BASE_FIELDS = new Set(['eventSource', 'eventName', 'check'])

export function compileTypedRule(spec: RuleSpec): CompiledRule {
  const p = spec.pattern
  if (typeof p !== 'object') throw new RuleSpecError('a typed pattern is a mapping with eventName and check')
  const checkName = str(p.check)
  const check = checkName === undefined ? undefined : CHECKS[checkName]
  if (!check || checkName === undefined) throw new RuleSpecError(`pattern.check must be one of ${Object.keys(CHECKS).join(', ')}`)
  const names = strings(p.eventName)
  if (names.length === 0) throw new RuleSpecError('pattern.eventName must name at least one event')
  const source = p.eventSource === undefined ? undefined : strings(p.eventSource)
  const allowed = CHECK_PARAMS[checkName] ?? {}
  const params: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(p)) {
    if (BASE_FIELDS.has(k)) continue
    const values = allowed[k]
    if (!values) throw new RuleSpecError(`pattern.${k} is not a parameter of check ${checkName}`)
    if (typeof v !== 'string' || !values.includes(v)) throw new RuleSpecError(`pattern.${k} must be one of ${values.join(', ')}`)
    params[k] = v
  }
  const nameSet = new Set(names)
  const sourceSet = source ? new Set(source) : undefined
  return {
    id: spec.id,
    spec,
    indexKeys: { eventName: names, eventSource: source ?? null },
    literals: names.map((n) => [`"${n}"`]),
    match(ctx: MatchContext): RuleHit | null {
      const r = ctx.record
      if (typeof r.eventName !== 'string' || !nameSet.has(r.eventName)) return null
      if (sourceSet && (typeof r.eventSource !== 'string' || !sourceSet.has(r.eventSource))) return null
      const res = check(r, params)
      if (!res) return null
      const { critical, exposure, ...hit } = res
      const errorCode = str(r.errorCode)
      // A failed call exposed nothing: an attempt, with no exposure to follow.
      if (errorCode !== undefined) return { ...hit, impact: 'attempt' }
      return { ...hit, ...(critical ? { impact: 'write' as const } : {}), ...(exposure ? { exposure } : {}) }
    },
  }
}
