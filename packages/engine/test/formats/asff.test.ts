import { describe, expect, it } from 'vitest'
import { ASFF_LIMITS, ASFF_MAX_FINDING_BYTES, AsffMappingError, toAsff } from '../../src/emit/formats/asff.js'
import { sampleFinding } from '../support/sample-finding.js'
import { TRUNCATED_MARK } from '../../src/emit/formats/text-limit.js'

const REQUIRED = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'Types',
  'CreatedAt',
  'UpdatedAt',
  'Severity',
  'Title',
  'Description',
  'Resources',
] as const

describe('toAsff', () => {
  it('fills every attribute BatchImportFindings requires, from the finding', () => {
    const a = toAsff(sampleFinding())
    for (const k of REQUIRED) expect(a[k], k).toBeDefined()
    expect(a).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      GeneratorId: 'public-s3-policy',
      AwsAccountId: '111122223333',
      CreatedAt: '2024-06-07T09:00:05Z',
      UpdatedAt: '2024-06-07T09:00:05Z',
      Severity: { Label: 'HIGH', Original: 'high' },
      Title: 'S3 bucket policy allows public access',
      Region: 'eu-west-1',
      Resources: [{ Type: 'AwsS3Bucket', Id: 'arn:aws:s3:::example-static-site', Partition: 'aws', Region: 'eu-west-1' }],
      RecordState: 'ACTIVE',
    })
    expect(a.Description).toContain('PutBucketPolicy')
    expect(a.Description).toContain('arn:aws:iam::111122223333:user/alice')
    expect(a.FindingProviderFields).toEqual({ Severity: a.Severity, Types: a.Types })
  })

  it('puts the CIS and NIST controls in Compliance.RelatedRequirements and ATT&CK in Types and ProductFields', () => {
    const a = toAsff(sampleFinding())
    expect(a.Compliance?.RelatedRequirements).toEqual([
      'CIS AWS Foundations Benchmark v1.2.0/3.8',
      'CIS AWS Foundations Benchmark v3.0.0/4.8',
      'NIST.800-53.r5 AC-3',
    ])
    expect(a.Types).toEqual([
      'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark',
      'Software and Configuration Checks/Industry and Regulatory Standards/NIST 800-53 Controls (USA)',
      'TTPs/Collection/T1530',
      'TTPs/Defense Evasion/T1562.008',
    ])
    expect(a.ProductFields['trailscan/mitreAttack']).toBe('T1530, T1562.008')
    expect(a.ProductFields['trailscan/eventId']).toBe('1e6b3d50-9a8c-4d2e-b7f3-5c1d9e0f2a01')
  })

  it('names the account as the resource when the call names none, and the partition from the region', () => {
    const a = toAsff(sampleFinding({ region: 'cn-north-1', resource: { type: null, name: null, arn: null }, references: null }))
    expect(a.ProductArn).toBe('arn:aws-cn:securityhub:cn-north-1:111122223333:product/111122223333/default')
    expect(a.Resources).toEqual([{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws-cn', Region: 'cn-north-1' }])
    expect(a.Types).toEqual(['Software and Configuration Checks/AWS Security Best Practices'])
    expect(a.Compliance).toBeUndefined()
  })

  it('marks a suppressed finding shown anyway as SUPPRESSED', () => {
    const a = toAsff({ ...sampleFinding(), suppressed: { reason: 'pipeline', expires: '2030-01-01' } })
    expect(a.Workflow).toEqual({ Status: 'SUPPRESSED' })
    expect(a.ProductFields['trailscan/suppressed']).toBe('pipeline (until 2030-01-01)')
  })

  it('refuses a finding with no account or region, naming it', () => {
    expect(() => toAsff(sampleFinding({ account: null, actor: { ...sampleFinding().actor, accountId: null } }))).toThrow(AsffMappingError)
    expect(() => toAsff(sampleFinding({ region: 'nowhere' }))).toThrow(/0f1e2d3c4b5a69788796a5b4c3d2e1f0.*region/)
  })

  it('replaces an eventTime Security Hub would refuse with the update time', () => {
    const a = toAsff(sampleFinding({ eventTime: 'yesterday' }), { updatedAt: '2026-01-02T03:04:05Z' })
    expect([a.CreatedAt, a.UpdatedAt, a.FirstObservedAt]).toEqual(['2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z'])
  })

  it('cuts long fields to their limits with a marker', () => {
    const long = 'x'.repeat(5000)
    const a = toAsff(
      sampleFinding({
        title: long,
        ruleId: long,
        userAgent: long,
        resource: { type: 'bucket', name: long, arn: null },
      }),
    )
    expect(a.Title).toHaveLength(ASFF_LIMITS.title)
    expect(a.Title.endsWith(TRUNCATED_MARK)).toBe(true)
    expect(a.GeneratorId).toHaveLength(ASFF_LIMITS.generatorId)
    expect(a.Description).toHaveLength(ASFF_LIMITS.description)
    expect(a.ProductFields['trailscan/userAgent']).toHaveLength(ASFF_LIMITS.productFieldValue)
    for (const [k, v] of Object.entries(a.ProductFields)) {
      expect(k.length).toBeLessThanOrEqual(ASFF_LIMITS.productFieldKey)
      expect(v.length, k).toBeLessThanOrEqual(ASFF_LIMITS.productFieldValue)
    }
    expect(Object.keys(a.ProductFields).length).toBeLessThanOrEqual(ASFF_LIMITS.productFields)
  })

  it('keeps a finding with huge details and escape-heavy text under the 240 KB limit', () => {
    // Control characters take 6 bytes each in JSON: every field at its character limit would be ~12 KB each.
    const ctl = '\u0001'.repeat(100_000)
    const huge = { blob: 'y'.repeat(5_000_000), more: ctl, nested: Array.from({ length: 10_000 }, (_, i) => ({ i, ctl })) }
    const a = toAsff(
      sampleFinding({
        details: huge,
        context: { name: ctl },
        userAgent: ctl,
        sourceIp: ctl,
        eventName: ctl,
        eventSource: ctl,
        errorCode: ctl,
        status: ctl,
        actor: { arn: ctl, type: ctl, userName: ctl, accessKeyId: ctl, accountId: '111122223333', sessionIssuer: ctl },
        resource: { type: ctl, name: ctl, arn: ctl },
        source: { uri: ctl, recordIndex: 1 },
        references: { mitreAttack: Array.from({ length: 10_000 }, (_, i) => `T${1000 + (i % 9000)}`), cis: { v: ctl }, urls: [ctl] },
      }),
    )
    const bytes = Buffer.byteLength(JSON.stringify(a))
    expect(bytes).toBeLessThanOrEqual(ASFF_MAX_FINDING_BYTES)
    expect(a.ProductFields['trailscan/details']!.endsWith(TRUNCATED_MARK)).toBe(true)
    expect(a.Types.length).toBeLessThanOrEqual(ASFF_LIMITS.types)
    expect(a.Compliance!.RelatedRequirements.length).toBeLessThanOrEqual(ASFF_LIMITS.relatedRequirements)
    expect(a.Resources[0]!.Id.length).toBeLessThanOrEqual(2048)
  })
})
