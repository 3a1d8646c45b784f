import { describe, expect, it } from 'vitest'
import type { Finding } from './finding.js'
import { Suppressor, isCalendarDate } from './suppress.js'

const finding = (over: Partial<Finding> = {}): Finding =>
  ({
    ruleId: 'public-s3-acl-cli',
    account: '111122223333',
    userAgent: '[Terraform/1.7.5 aws-sdk-go-v2/1.25.2]',
    actor: {
      arn: 'arn:aws:sts::111122223333:assumed-role/ci-deploy/gha-123',
      type: 'AssumedRole',
      userName: null,
      accessKeyId: null,
      accountId: null,
      sessionIssuer: null,
    },
    ...over,
  }) as Finding

const now = new Date('2026-11-24T12:00:00Z')

describe('Suppressor', () => {
  it('matches by rule, principal, account and user agent with wildcards; every given field must match', () => {
    const s = new Suppressor(
      [
        {
          rule: 'public-s3-*',
          principal: 'arn:aws:sts::*:assumed-role/ci-*',
          userAgent: '*Terraform*',
          reason: 'IaC pipeline',
          expires: '2027-01-31',
        },
      ],
      now,
    )
    expect(s.match(finding())).toEqual({ reason: 'IaC pipeline', expires: '2027-01-31', entry: 0 })
    expect(s.match(finding({ ruleId: 'cis-4.8' }))).toBeUndefined()
    expect(s.match(finding({ userAgent: 'aws-cli/2.15.0' }))).toBeUndefined()
  })

  it('stops applying an expired entry and reports it', () => {
    const s = new Suppressor([{ account: '111122223333', reason: 'old exception', expires: '2026-11-23' }], now)
    expect(s.match(finding())).toBeUndefined()
    expect(s.expired.map((e) => e.suppression.reason)).toEqual(['old exception'])
  })

  it('applies through the whole expiry day', () => {
    const s = new Suppressor([{ account: '111122223333', reason: 'today', expires: '2026-11-24' }], now)
    expect(s.match(finding())?.reason).toBe('today')
  })

  // ../shared/reliability/README.md §7: a `^.*a.*b.*$` RegExp took 2.8 s per finding on a 10,000-character agent.
  it('matches a many-star user agent glob against a 200,000-character user agent in linear time', { timeout: 20_000 }, () => {
    const s = new Suppressor([{ userAgent: '*Terraform*HashiCorp*provider*aws*', reason: 'IaC', expires: '2027-01-31' }], now)
    const long = 'Terraform '.repeat(20_000)
    for (let i = 0; i < 50; i++) expect(s.match(finding({ userAgent: long }))).toBeUndefined()
    expect(s.match(finding({ userAgent: `${long}HashiCorp provider aws` }))?.reason).toBe('IaC')
  })

  it('treats ? literally and lets * span any character, newlines included', () => {
    const s = new Suppressor([{ userAgent: 'a?c*z', reason: 'x', expires: '2027-01-01' }], now)
    expect(s.match(finding({ userAgent: 'abcz' }))).toBeUndefined()
    expect(s.match(finding({ userAgent: 'a?c\nz' }))?.reason).toBe('x')
  })

  it('treats characters other than * literally', () => {
    const s = new Suppressor([{ principal: 'arn:aws:iam::111122223333:user/a.b', reason: 'x', expires: '2027-01-01' }], now)
    expect(s.match(finding({ actor: { ...finding().actor, arn: 'arn:aws:iam::111122223333:user/aXb' } }))).toBeUndefined()
  })
})

describe('isCalendarDate', () => {
  it.each([
    ['2099-02-28', true],
    ['2096-02-29', true],
    ['2099-02-29', false],
    ['2099-02-30', false],
    ['2099-04-31', false],
    ['2099-13-01', false],
    ['2099-00-10', false],
    ['2099-12-31T10:00:00Z', true],
    ['31.12.2099', false],
  ])('%j → %s', (text, expected) => {
    expect(isCalendarDate(text)).toBe(expected)
  })

  it('never applies an entry whose expiry is no calendar date', () => {
    const s = new Suppressor([{ account: '111122223333', reason: 'typo', expires: '2099-02-30' }], now)
    expect(s.match(finding())).toBeUndefined()
    expect(s.expired).toHaveLength(1)
  })
})
