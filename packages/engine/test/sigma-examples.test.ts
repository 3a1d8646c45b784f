/**
 * The project's own Sigma rules (examples/sigma, the README's Sigma section): each loads without a diagnostic,
 * fires on a record of the shape it is written for, and stays quiet on the variant it documents as left out.
 */
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { recordContext } from '../src/match/context.js'
import type { CompiledRule } from '../src/match/matcher.js'
import { loadRuleSet } from '../src/rules/rule-set.js'

const dir = fileURLToPath(new URL('../../../examples/sigma/', import.meta.url))
const carol = { type: 'IAMUser', userName: 'carol', arn: 'arn:aws:iam::111122223333:user/carol' }
const cli = 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22'

const cases: Record<string, { match: Record<string, unknown>; noMatch: Record<string, unknown> }> = {
  'cloudtrail-logging-stopped': {
    match: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'DeleteTrail', userIdentity: carol },
    noMatch: {
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'UpdateTrail',
      userIdentity: { ...carol, invokedBy: 'cloudformation.amazonaws.com' },
    },
  },
  'root-account-used': {
    match: { eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn', userIdentity: { type: 'Root' } },
    noMatch: { eventName: 'Decrypt', eventType: 'AwsApiCall', userIdentity: { type: 'Root', invokedBy: 'cloudtrail.amazonaws.com' } },
  },
  'access-denied-by-a-person': {
    match: { eventName: 'RunInstances', errorCode: 'Client.UnauthorizedOperation', userIdentity: carol },
    noMatch: { eventName: 'GetBucketAcl', errorCode: 'AccessDenied', userIdentity: { type: 'AWSService' } },
  },
  'kms-key-disabled': {
    match: { eventSource: 'kms.amazonaws.com', eventName: 'ScheduleKeyDeletion', userIdentity: carol },
    noMatch: { eventSource: 'kms.amazonaws.com', eventName: 'DisableKeyRotation', userIdentity: carol },
  },
  'ssh-open-to-the-world': {
    match: {
      eventName: 'AuthorizeSecurityGroupIngress',
      userAgent: cli,
      requestParameters: { ipPermissions: { items: [{ fromPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
    },
    noMatch: {
      eventName: 'AuthorizeSecurityGroupIngress',
      userAgent: cli,
      requestParameters: { ipPermissions: { items: [{ fromPort: 22, ipRanges: { items: [{ cidrIp: '10.0.0.0/8' }] } }] } },
    },
  },
  'access-key-for-another-user': {
    match: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      userIdentity: carol,
      requestParameters: { userName: 'backup-svc' },
    },
    noMatch: {
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      userIdentity: carol,
      requestParameters: { userName: 'Carol' },
    },
  },
}

describe('examples/sigma', () => {
  let rules: Map<string, CompiledRule>
  beforeAll(async () => {
    const set = await loadRuleSet([dir])
    expect(set.diagnostics).toEqual([])
    rules = new Map(set.rules.map((r) => [r.spec.file!.replace(/^.*\/|\.yml$/g, ''), r]))
  })

  it('holds one rule per case, each a Sigma rule with ATT&CK references', () => {
    expect([...rules.keys()].sort()).toEqual(Object.keys(cases).sort())
    for (const r of rules.values()) {
      expect(r.spec.language).toBe('sigma')
      expect(r.spec.references?.mitreAttack?.some((t) => /^T\d{4}/.test(t))).toBe(true)
    }
  })

  it.each(Object.entries(cases))('%s', (name, c) => {
    const rule = rules.get(name)!
    expect(rule.match(recordContext(c.match))).not.toBeNull()
    expect(rule.match(recordContext(c.noMatch))).toBeNull()
  })
})
