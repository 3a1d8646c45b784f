import type { Finding } from '../../src/emit/finding.js'

/** A finding as the public-s3 pack writes one, for the format tests (not part of the build's public API). */
export function sampleFinding(over: Partial<Finding> = {}): Finding {
  return {
    kind: 'finding',
    id: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    ruleId: 'public-s3-policy',
    title: 'S3 bucket policy allows public access',
    severity: 'high',
    pack: 'public-s3',
    eventId: '1e6b3d50-9a8c-4d2e-b7f3-5c1d9e0f2a01',
    eventTime: '2024-06-07T09:00:05Z',
    eventName: 'PutBucketPolicy',
    eventSource: 's3.amazonaws.com',
    account: '111122223333',
    region: 'eu-west-1',
    sourceIp: '198.51.100.40',
    userAgent: '[aws-cli/2.17.32 md/awscrt#0.21.2]',
    userAgentKind: 'cli',
    actor: {
      arn: 'arn:aws:iam::111122223333:user/alice',
      type: 'IAMUser',
      userName: 'alice',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      accountId: '111122223333',
      sessionIssuer: null,
    },
    resource: { type: 'bucket', name: 'example-static-site', arn: null },
    errorCode: null,
    status: null,
    references: {
      mitreAttack: ['T1530', 'T1562.008'],
      nist80053: ['AC-3'],
      cis: { 'v1.2.0': '3.8', 'v3.0.0': '4.8' },
      urls: ['https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html'],
    },
    details: { newPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }] } },
    context: null,
    source: { uri: 'AWSLogs/111122223333/CloudTrail/eu-west-1/2024/06/07/x.json.gz', recordIndex: 4 },
    ...over,
  }
}
