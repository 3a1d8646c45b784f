import { describe, expect, it } from 'vitest'
import { compileCwlFilter, testMetricFilter } from './index.js'

/** CIS AWS Foundations v3.0.0 section 4 patterns, verbatim (reference/cis-patterns.md). */
const CIS: Record<string, string> = {
  '4.1':
    '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
  '4.2': '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
  '4.2-sso':
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  '4.3': '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  '4.4':
    '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
  '4.5':
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  '4.6': '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  '4.7': '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
  '4.8':
    '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
  '4.9':
    '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel) ||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
  '4.10':
    '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  '4.11':
    '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
  '4.12':
    '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
  '4.13':
    '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
  '4.14':
    '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
  '4.15':
    '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
}

function record(fields: Record<string, unknown>): { record: Record<string, unknown>; text: string } {
  const r = { eventVersion: '1.08', eventSource: 'iam.amazonaws.com', eventName: 'GetUser', eventType: 'AwsApiCall', ...fields }
  return { record: r, text: JSON.stringify(r) }
}

function fires(control: string, fields: Record<string, unknown>): boolean {
  const f = compileCwlFilter(CIS[control] as string)
  const { record: r, text } = record(fields)
  const viaRecord = f.matchRecord(r, text)
  expect(f.testMessage(text).matched).toBe(viaRecord)
  return viaRecord
}

describe('CIS patterns', () => {
  it('all compile as JSON patterns', () => {
    for (const pattern of Object.values(CIS)) expect(compileCwlFilter(pattern).kind).toBe('json')
  })

  it('4.1 guards only the AccessDenied branch with the exclusions', () => {
    expect(fires('4.1', { errorCode: 'Client.UnauthorizedOperation', eventName: 'HeadBucket' })).toBe(true)
    expect(fires('4.1', { errorCode: 'AccessDenied', sourceIPAddress: '198.51.100.7' })).toBe(true)
    expect(fires('4.1', { errorCode: 'AccessDenied', sourceIPAddress: 'delivery.logs.amazonaws.com' })).toBe(false)
    expect(fires('4.1', { errorCode: 'AccessDeniedException', sourceIPAddress: '1.2.3.4', eventName: 'HeadBucket' })).toBe(false)
    expect(fires('4.1', { errorCode: 'AccessDenied' })).toBe(false)
    expect(fires('4.1', { errorCode: 'accessdenied', sourceIPAddress: '1.2.3.4' })).toBe(false)
  })

  it('4.2 counts MFAUsed "YES" as no MFA and ignores sign-ins without the field', () => {
    expect(fires('4.2', { eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'No' } })).toBe(true)
    expect(fires('4.2', { eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'YES' } })).toBe(true)
    expect(fires('4.2', { eventName: 'ConsoleLogin', additionalEventData: { MFAUsed: 'Yes' } })).toBe(false)
    expect(fires('4.2', { eventName: 'ConsoleLogin' })).toBe(false)
  })

  it('4.3 excludes root calls invoked by a service and service events', () => {
    expect(fires('4.3', { userIdentity: { type: 'Root' } })).toBe(true)
    expect(fires('4.3', { userIdentity: { type: 'Root', invokedBy: 'support.amazonaws.com' } })).toBe(false)
    expect(fires('4.3', { userIdentity: { type: 'Root' }, eventType: 'AwsServiceEvent' })).toBe(false)
    expect(fires('4.3', { userIdentity: { type: 'root' } })).toBe(false)
  })

  it('4.4 and 4.15 match exact names, from any source for 4.4', () => {
    expect(fires('4.4', { eventName: 'CreatePolicy', eventSource: 'organizations.amazonaws.com' })).toBe(true)
    expect(fires('4.4', { eventName: 'PutRolePermissionsBoundary' })).toBe(false)
    expect(fires('4.15', { eventName: 'CreatePolicy', eventSource: 'organizations.amazonaws.com' })).toBe(true)
    expect(fires('4.15', { eventName: 'CreatePolicy', eventSource: 'iam.amazonaws.com' })).toBe(false)
  })

  it('4.7 needs both the source and one of the names', () => {
    expect(fires('4.7', { eventSource: 'kms.amazonaws.com', eventName: 'ScheduleKeyDeletion' })).toBe(true)
    expect(fires('4.7', { eventSource: 'kms.amazonaws.com', eventName: 'EnableKey' })).toBe(false)
  })
})

describe('testMetricFilter', () => {
  const apache = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
  ]

  it('lists only matching events, numbered from 1, with extracted values', () => {
    expect(testMetricFilter('[..., status_code=200, size]', apache)).toEqual({
      matches: [
        {
          eventNumber: 1,
          eventMessage: apache[0],
          extractedValues: {
            $1: '127.0.0.1',
            $2: '-',
            $3: 'frank',
            $4: '10/Oct/2000:13:25:15 -0700',
            $5: 'GET /apache_pb.gif HTTP/1.0',
            $status_code: '200',
            $size: '1534',
          },
        },
        expect.objectContaining({ eventNumber: 3, eventMessage: apache[2] }),
      ],
    })
  })

  it('reports empty extracted values for term patterns and an empty list when nothing matches', () => {
    expect(testMetricFilter('"[ERROR]"', ['[INFO] ok', '[ERROR] bad'])).toEqual({
      matches: [{ eventNumber: 2, eventMessage: '[ERROR] bad', extractedValues: {} }],
    })
    expect(testMetricFilter('ERROR', ['fine'])).toEqual({ matches: [] })
  })

  it('throws the syntax error for an invalid pattern', () => {
    expect(() => testMetricFilter('{ $.a = 1', ['{}'])).toThrow("If a filter pattern starts with '{' it must end with '}'")
  })
})
