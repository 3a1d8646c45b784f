import { describe, expect, it } from 'vitest'
import { RuleSyntaxError } from '@trailscan/engine'

describe('package resolution', () => {
  it('resolves the engine from source', () => {
    expect(new RuleSyntaxError('x').code).toBe('TRAILSCAN_RULE_SYNTAX')
  })
})
