import { describe, expect, it } from 'vitest'
import { parseCloudTrailKey } from './key-layout.js'

describe('parseCloudTrailKey', () => {
  it('reads the standard layout under a prefix', () => {
    expect(
      parseCloudTrailKey(
        'logs/AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz',
      ),
    ).toEqual({ kind: 'log', prefix: 'logs/', account: '111122223333', region: 'us-east-2', deliveryDate: '2015-08-01' })
  })

  it('reads the organization-trail layout', () => {
    expect(parseCloudTrailKey('AWSLogs/o-1234abcde0/444455556666/CloudTrail/eu-west-1/2025/03/06/x.json.gz')).toEqual({
      kind: 'log',
      prefix: '',
      org: 'o-1234abcde0',
      account: '444455556666',
      region: 'eu-west-1',
      deliveryDate: '2025-03-06',
    })
  })

  it('tells digest and insight objects from event logs', () => {
    expect(parseCloudTrailKey('AWSLogs/111122223333/CloudTrail-Digest/us-west-2/2020/09/11/d.json.gz').kind).toBe('digest')
    expect(parseCloudTrailKey('AWSLogs/111122223333/CloudTrail-Insight/us-west-2/2020/09/11/i.json.gz').kind).toBe('insight')
  })

  it('calls anything else other', () => {
    expect(parseCloudTrailKey('exports/cloudtrail.jsonl')).toEqual({ kind: 'other' })
    expect(parseCloudTrailKey('AWSLogs/1111/CloudTrail/us-east-1/2024/01/01/x.json.gz')).toEqual({ kind: 'other' })
  })
})
