import { describe, expect, it } from 'vitest'
import { compileRule } from '../match/compile.js'
import type { RuleSpec } from '../rules/spec.js'
import { isWatched } from './coverage.js'

const sigma = (detection: Record<string, unknown>): RuleSpec => ({
  id: 's',
  title: 's',
  severity: 'low',
  language: 'sigma',
  pattern: { logsource: { product: 'aws', service: 'cloudtrail' }, detection },
  examples: { match: [], noMatch: [] },
})

describe('isWatched', () => {
  it('counts the pairs a Sigma rule names, though Sigma rules are keyed by field tests rather than index keys', () => {
    const rule = compileRule(
      sigma({
        selection: { eventSource: 'iam.amazonaws.com', eventName: ['CreateAccessKey', 'CreateLoginProfile'] },
        condition: 'selection',
      }),
    )
    expect(rule.indexKeys.eventName).toBeNull()
    expect(isWatched([rule], 'iam.amazonaws.com', 'CreateAccessKey')).toBe(true)
    expect(isWatched([rule], 'iam.amazonaws.com', 'CreateLoginProfile')).toBe(true)
    expect(isWatched([rule], 'iam.amazonaws.com', 'DeleteUser')).toBe(false)
    expect(isWatched([rule], 'sts.amazonaws.com', 'CreateAccessKey')).toBe(false)
  })

  it('leaves a rule on no eventName out, as it looks at every event', () => {
    const rule = compileRule(sigma({ selection: { 'userIdentity.type': 'Root' }, condition: 'selection' }))
    expect(isWatched([rule], 'iam.amazonaws.com', 'CreateAccessKey')).toBe(false)
  })
})
