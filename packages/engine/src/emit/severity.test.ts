import { describe, expect, it } from 'vitest'
import { PRODUCTION_EXPOSURE, severityOf } from './severity.js'

describe('severityOf: the one place a finding’s severity is decided', () => {
  const exposure = { kind: 'acl' as const, bucket: 'b' }
  const production = { environment: 'Production' }

  it('keeps the rule’s severity for a plain hit, in any account', () => {
    expect(severityOf('low', {}, production)).toEqual({ severity: 'low', status: null })
  })

  it('lowers a failed call to a medium attempt, even a write grant in production', () => {
    expect(severityOf('high', { impact: 'attempt', status: 'x' }, production)).toMatchObject({ severity: 'medium', status: 'attempt' })
  })

  it('makes every failed call (the record has an errorCode) an attempt, whatever the language or pack', () => {
    expect(severityOf('high', {}, undefined, 'AccessDenied')).toEqual({
      severity: 'medium',
      status: 'attempt',
      attempt: 'the call failed with AccessDenied: nothing changed',
    })
    expect(severityOf('low', { raise: 'high' }, undefined, 'Client.UnauthorizedOperation')).toMatchObject({
      severity: 'medium',
      status: 'attempt',
    })
    expect(severityOf('critical', { impact: 'write', exposure }, production, 'AccessDenied')).toMatchObject({
      severity: 'medium',
      status: 'attempt',
    })
    expect(severityOf('low', {}, undefined, null)).toEqual({ severity: 'low', status: null })
  })

  it('takes a check’s raise when it is higher than the rule’s severity, never lower', () => {
    expect(severityOf('low', { raise: 'high' })).toEqual({ severity: 'high', status: null })
    expect(severityOf('high', { raise: 'medium' })).toEqual({ severity: 'high', status: null })
  })

  it('raises a write grant to critical, keeping its status', () => {
    expect(severityOf('high', { impact: 'write', exposure, status: 's' }, production)).toEqual({ severity: 'critical', status: 's' })
  })

  it('raises a public exposure in a production account to critical, and says why', () => {
    expect(severityOf('high', { exposure }, production)).toEqual({ severity: 'critical', status: PRODUCTION_EXPOSURE })
    expect(severityOf('high', { exposure }, { environment: 'staging' })).toEqual({ severity: 'high', status: null })
    expect(severityOf('high', { exposure })).toEqual({ severity: 'high', status: null })
    expect(severityOf('critical', { exposure, status: 's' }, production)).toEqual({ severity: 'critical', status: 's' })
  })
})
