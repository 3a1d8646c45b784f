import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { toOcsf, type Finding } from '@trailscan/engine'
import { fixtureFindings } from '../support/fixture-findings.js'
import { sampleFinding } from '../support/sample-finding.js'
import { OcsfSchema, type EventClass } from './ocsf-schema.js'

const schema = new OcsfSchema(fileURLToPath(new URL('../ocsf-schema-1.1.0/', import.meta.url)))
const detectionFinding: EventClass = schema.eventClass('findings/detection_finding.json')

/**
 * Recommended attributes of the class a Trailscan finding has nothing for, each with the reason. Any other
 * recommended attribute missing from a record fails the test: the mapping dropped something it has.
 */
const NOTHING_TO_SAY: Record<string, string> = {
  confidence_id: 'a rule either matches or not: no confidence',
}

let byFixture: Map<string, Finding[]>
beforeAll(async () => {
  byFixture = await fixtureFindings()
})

describe('the OCSF 1.1.0 schema as resolved from its files', () => {
  it('resolves Detection Finding through finding and base_event, their includes and profiles', () => {
    expect(detectionFinding.uid).toBe(2004)
    expect([...detectionFinding.profiles].sort()).toEqual(['cloud', 'datetime', 'host', 'security_control'])
    const required = [...detectionFinding.attributes].filter(([, a]) => a.requirement === 'required' && !a.profile).map(([n]) => n)
    expect(required.sort()).toEqual(
      ['activity_id', 'category_uid', 'class_uid', 'finding_info', 'metadata', 'severity_id', 'time', 'type_uid'].sort(),
    )
    // From a profile: required only where the profile is applied.
    expect(detectionFinding.attributes.get('cloud')).toMatchObject({ requirement: 'required', profile: 'cloud' })
    expect(detectionFinding.attributes.get('actor')).toMatchObject({ profile: 'host' })
    // The finding class's status values merged with the dictionary's Unknown and Other.
    expect(Object.keys(detectionFinding.attributes.get('status_id')!.enum!).sort()).toEqual(['0', '1', '2', '3', '4', '99'])
    expect(schema.object('network_endpoint').constraints?.at_least_one).toContain('ip')
    expect(schema.object('user').attributes.get('name')!.type).toBe('username_t')
  })

  it('finds what is wrong with a record: missing, unknown, mistyped, outside its enum, profile not applied', () => {
    const good = toOcsf(sampleFinding())
    expect(schema.validate(detectionFinding, good)).toEqual([])
    const bad = structuredClone(good) as Record<string, unknown> & {
      finding_info: Record<string, unknown>
      metadata: Record<string, unknown>
    }
    delete bad.finding_info.uid
    bad.severity_id = 9
    bad.time = '2024-06-07'
    bad.surprise = 1
    bad.evidences = [{ src_endpoint: { ip: 'not-an-ip' } }]
    bad.src_endpoint = { ip: '198.51.100.40' }
    bad.metadata.profiles = ['cloud']
    bad.resources = [{ data: {} }]
    bad.severity = 'Low'
    expect(schema.validate(detectionFinding, bad).sort()).toEqual(
      [
        'actor: belongs to the host profile, which metadata.profiles does not apply',
        'finding_info.uid: required by finding_info, missing',
        'resources[0]: needs at least one of name, uid',
        'severity_id: 9 is not one of its enum ids (0, 1, 2, 3, 4, 5, 6, 99)',
        'evidences[0].src_endpoint.ip: "not-an-ip" is not a ip_t',
        // Detection Finding 1.1.0 has a src_endpoint in its evidences only.
        'src_endpoint: not an attribute of detection_finding',
        'surprise: not an attribute of detection_finding',
        'time: not a long (timestamp_t)',
      ].sort(),
    )
    const sibling = { ...good, severity: 'Low' }
    expect(schema.validate(detectionFinding, sibling)).toEqual(['severity: "Low" is not the caption of 4 (High)'])
  })
})

describe('toOcsf', () => {
  it('maps a finding to a Detection Finding with the ids, the rule, ATT&CK, the actor, the resource and the evidence', () => {
    const o = toOcsf(sampleFinding(), { productVersion: '0.1.0' })
    expect(o).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      type_uid: 200401,
      activity_id: 1,
      severity_id: 4,
      severity: 'High',
      status_id: 1,
      status: 'New',
      time: Date.parse('2024-06-07T09:00:05Z'),
      metadata: {
        version: '1.1.0',
        product: { name: 'Trailscan', vendor_name: 'Trailscan', version: '0.1.0' },
        profiles: ['cloud', 'host'],
      },
      cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '111122223333', type_id: 10 } },
      actor: { user: { uid: 'arn:aws:iam::111122223333:user/alice', name: 'alice', credential_uid: 'AKIAIOSFODNN7EXAMPLE', type_id: 1 } },
      resources: [{ uid: 'example-static-site', name: 'example-static-site', type: 'AWS::S3::Bucket', region: 'eu-west-1' }],
    })
    expect(o.finding_info).toMatchObject({
      uid: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
      title: 'S3 bucket policy allows public access',
      analytic: { uid: 'public-s3-policy', type_id: 1, type: 'Rule' },
      attacks: [
        { technique: { uid: 'T1530', name: 'Data from Cloud Storage' }, tactic: { uid: 'TA0009', name: 'Collection' } },
        {
          technique: { uid: 'T1562', name: 'Impair Defenses' },
          sub_technique: { uid: 'T1562.008', name: 'Disable or Modify Cloud Logs' },
          tactic: { uid: 'TA0005', name: 'Defense Evasion' },
        },
      ],
    })
    expect(o.evidences).toEqual([
      {
        api: { operation: 'PutBucketPolicy', service: { name: 's3.amazonaws.com' } },
        actor: o.actor,
        src_endpoint: { ip: '198.51.100.40' },
        data: {
          event_uid: '1e6b3d50-9a8c-4d2e-b7f3-5c1d9e0f2a01',
          object: 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/06/07/x.json.gz',
          record_index: 4,
        },
      },
    ])
    expect((o.unmapped as Record<string, unknown>).details).toEqual(sampleFinding().details)
  })

  it('says Suppressed for a suppressed finding written anyway, and names a calling service as a service', () => {
    const o = toOcsf({ ...sampleFinding({ sourceIp: 's3.amazonaws.com' }), suppressed: { reason: 'ci', expires: '2030-01-01' } })
    expect([o.status_id, o.status]).toEqual([3, 'Suppressed'])
    expect(o.evidences).toMatchObject([{ src_endpoint: { svc_name: 's3.amazonaws.com' } }])
    expect(schema.validate(detectionFinding, o)).toEqual([])
  })

  it('stays valid for a finding with almost nothing known', () => {
    const bare = sampleFinding({
      account: null,
      region: null,
      eventTime: 'not a time',
      eventName: null,
      eventSource: null,
      sourceIp: null,
      actor: { arn: null, type: null, userName: null, accessKeyId: null, accountId: null, sessionIssuer: null },
      resource: { type: null, name: null, arn: null },
      references: { mitreAttack: ['T9999.001'] },
      details: null,
      pack: null,
    })
    const o = toOcsf(bare, { now: 1_700_000_000_000 })
    expect(o.time).toBe(1_700_000_000_000)
    expect(o.finding_info.attacks).toEqual([{ technique: { uid: 'T9999' }, sub_technique: { uid: 'T9999.001' } }])
    expect(schema.validate(detectionFinding, o)).toEqual([])
  })

  it('every finding of every fixture, with every pack, is a valid Detection Finding with the recommended attributes it can have', () => {
    let n = 0
    const missingRecommended = new Set<string>()
    for (const [fixture, findings] of byFixture) {
      for (const f of findings) {
        const o = toOcsf(f, { productVersion: '0.1.0' })
        const errors = schema.validate(detectionFinding, o)
        expect(errors, `${fixture}: ${f.ruleId} ${f.id}`).toEqual([])
        expect(o.finding_info.uid).toBe(f.id)
        for (const [name, a] of detectionFinding.attributes)
          if (a.requirement === 'recommended' && (!a.profile || ['cloud', 'host'].includes(a.profile)) && o[name] === undefined)
            missingRecommended.add(name)
        n++
      }
    }
    expect(n).toBeGreaterThan(250)
    expect([...missingRecommended].sort()).toEqual(Object.keys(NOTHING_TO_SAY).sort())
  })
})
