/**
 * A finding's `resource.type` (emit/finding.ts names it from the request parameter it came from) as AWS names the
 * kind: Security Hub's ASFF resource type, and the CloudFormation type OCSF records carry. Kinds AWS has no
 * name for are `Other` in ASFF and keep Trailscan's word in OCSF.
 */
const TYPES: Readonly<Record<string, { asff: string; cfn: string }>> = {
  bucket: { asff: 'AwsS3Bucket', cfn: 'AWS::S3::Bucket' },
  object: { asff: 'AwsS3Object', cfn: 'AWS::S3::Object' },
  policy: { asff: 'AwsIamPolicy', cfn: 'AWS::IAM::Policy' },
  role: { asff: 'AwsIamRole', cfn: 'AWS::IAM::Role' },
  user: { asff: 'AwsIamUser', cfn: 'AWS::IAM::User' },
  group: { asff: 'AwsIamGroup', cfn: 'AWS::IAM::Group' },
  trail: { asff: 'AwsCloudTrailTrail', cfn: 'AWS::CloudTrail::Trail' },
  key: { asff: 'AwsKmsKey', cfn: 'AWS::KMS::Key' },
  'security-group': { asff: 'AwsEc2SecurityGroup', cfn: 'AWS::EC2::SecurityGroup' },
  'network-acl': { asff: 'AwsEc2NetworkAcl', cfn: 'AWS::EC2::NetworkAcl' },
  'route-table': { asff: 'AwsEc2RouteTable', cfn: 'AWS::EC2::RouteTable' },
  'internet-gateway': { asff: 'Other', cfn: 'AWS::EC2::InternetGateway' },
  'customer-gateway': { asff: 'Other', cfn: 'AWS::EC2::CustomerGateway' },
  vpc: { asff: 'AwsEc2Vpc', cfn: 'AWS::EC2::VPC' },
  'vpc-peering': { asff: 'AwsEc2VpcPeeringConnection', cfn: 'AWS::EC2::VPCPeeringConnection' },
  'config-recorder': { asff: 'Other', cfn: 'AWS::Config::ConfigurationRecorder' },
  'delivery-channel': { asff: 'Other', cfn: 'AWS::Config::DeliveryChannel' },
  account: { asff: 'AwsAccount', cfn: 'AWS::Organizations::Account' },
  'shield-protection': { asff: 'Other', cfn: 'AWS::Shield::Protection' },
  'mfa-device': { asff: 'Other', cfn: 'AWS::IAM::VirtualMFADevice' },
}

export function asffResourceType(type: string | null): string {
  return (type && TYPES[type]?.asff) ?? 'Other'
}

export function cloudFormationType(type: string | null): string | undefined {
  return type ? (TYPES[type]?.cfn ?? undefined) : undefined
}

/** The partition an AWS region belongs to, for ARNs built from a region. */
export function partitionOf(region: string | null): 'aws' | 'aws-cn' | 'aws-us-gov' {
  if (region?.startsWith('cn-')) return 'aws-cn'
  if (region?.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}
