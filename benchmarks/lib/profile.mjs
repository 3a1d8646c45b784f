// The figures the corpus generator reproduces. Everything marked "measured" comes from
// `node measure-datasets.mjs` over ../shared/datasets (3,369 records: invictus-ir 2,900, stratus-red-team 310,
// otrf 103, traildiscover 35, cloud-snitch 21), run 2025-11 for this package. Everything marked "assumed" is a
// choice, with the reason beside it: those datasets are attack simulations, so their rates of security-relevant
// events (route/SG/IAM changes ~5 %, AccessDenied-family errors ~4 %) are far above a normal account's.

/** measured: minified record size in bytes, mean 1,265, p10 947, p50 1,170, p90 1,707, p99 2,397, max 5,402. */
export const RECORD_BYTES = { mean: 1265, p50: 1170, p90: 1707, p99: 2397 }

/** measured: 11.5 % of records carry an errorCode (errorMessage on 11.4 %). */
export const ERROR_SHARE = 0.115

/**
 * errorCode mix among failed calls. measured: ThrottlingException 26.4 %, Client.UnauthorizedOperation 25.1 %,
 * AccessDenied 11.4 %, NoSuch* (bucket policy/PAB/lifecycle/CORS/website) ~15 %, *.NotFound 3.4 %.
 * assumed: the denial codes (which fire CIS 4.1) are scaled down to ~0.6 % of all records
 * (AccessDenied 0.4 %, Client.UnauthorizedOperation 0.2 %), since a denial rate of 4 % is an attack signature;
 * the difference goes to the benign codes, keeping the total error share at the measured 11.5 %.
 */
export const DENIAL_RATE = { AccessDenied: 0.004, 'Client.UnauthorizedOperation': 0.002 }
export const BENIGN_ERRORS = [
  ['ThrottlingException', 'Rate exceeded', 40],
  ['NoSuchBucketPolicy', 'The bucket policy does not exist', 6],
  ['NoSuchPublicAccessBlockConfiguration', 'The public access block configuration was not found', 5],
  ['NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', 4],
  ['NoSuchCORSConfiguration', 'The CORS configuration does not exist', 4],
  ['ResourceNotFoundException', 'Secrets Manager can\u2019t find the specified secret.', 6],
  ['ParameterNotFound', '', 5],
  ['Client.InvalidRouteTableID.NotFound', "The routeTable ID 'rtb-0b1f2e3d' does not exist", 5],
  ['ValidationException', '1 validation error detected', 3],
]

/** measured userIdentity.type: IAMUser 92.3 %, AssumedRole 4.7 %, AWSService 1.7 %. assumed: Root 0.05 % (CIS 4.3). */
export const IDENTITY_TYPES = [
  ['IAMUser', 92.3],
  ['AssumedRole', 4.7],
  ['AWSService', 1.7],
]
export const ROOT_RATE = 0.0005

/** measured eventVersion: 1.08 90.1 %, 1.09 5.9 %, 1.05 2.8 %, 1.11 0.6 %, 1.10 0.4 %. */
export const EVENT_VERSIONS = [
  ['1.08', 90.1],
  ['1.09', 5.9],
  ['1.05', 2.8],
  ['1.11', 0.6],
  ['1.10', 0.4],
]

/** measured optional fields: tlsDetails 78.5 %, resources 21.9 %, sessionCredentialFromConsole 7.6 %, vpcEndpointId 4.6 %. */
export const OPTIONAL = { tlsDetails: 0.785, resources: 0.219, sessionCredentialFromConsole: 0.076, vpcEndpointId: 0.046 }

/** measured: requestParameters null on 11 % of records; mean depth 2.41; depth > 2 on 35.8 % of the rest. */
export const REQUEST_PARAMS_NULL = 0.11

/**
 * Background (not rule-relevant) calls: [service, eventName, weight, readOnly]. measured: the weight is the
 * record count of that (eventSource, eventName) pair in the datasets (top pairs, 77.8 % of records read-only;
 * eventSource ec2 31.7 %, ssm 18.6 %, iam 12.5 %, s3 8.9 %, secretsmanager 7.7 %, kms 7.2 %, rds 4.5 %, sts 2.6 %).
 * Pairs some shipped rule indexes (route/VPC/SG/IAM-policy changes) are left out here and injected at the
 * RULE_EVENTS rates below instead.
 */
export const BACKGROUND = [
  ['kms', 'Decrypt', 180, true],
  ['ec2', 'DescribeRouteTables', 163, true],
  ['ssm', 'DescribeInstanceInformation', 139, true],
  ['iam', 'GetUser', 130, true],
  ['ssm', 'DescribeParameters', 127, true],
  ['ssm', 'GetParameter', 82, true],
  ['ssm', 'ListTagsForResource', 82, true],
  ['secretsmanager', 'GetSecretValue', 80, true],
  ['ssm', 'DeleteParameter', 78, false],
  ['sts', 'AssumeRole', 68, true],
  ['ssm', 'PutParameter', 67, false],
  ['ec2', 'DescribeInstances', 64, true],
  ['ec2', 'GetPasswordData', 59, true],
  ['s3', 'GetBucketAcl', 56, true],
  ['ec2', 'DescribeNatGateways', 54, true],
  ['health', 'DescribeEventAggregates', 49, true],
  ['ec2', 'DescribeVpcAttribute', 48, true],
  ['rds', 'DescribeOrderableDBInstanceOptions', 45, true],
  ['ec2', 'DescribeAccountAttributes', 44, true],
  ['ec2', 'DescribeInstanceAttribute', 44, true],
  ['ec2', 'DescribeVpcs', 43, true],
  ['kms', 'Encrypt', 42, true],
  ['ec2', 'DescribeSubnets', 40, true],
  ['iam', 'ListAttachedRolePolicies', 39, true],
  ['secretsmanager', 'GetResourcePolicy', 39, true],
  ['secretsmanager', 'DescribeSecret', 36, true],
  ['rds', 'DescribeDBInstances', 35, true],
  ['iam', 'ListRolePolicies', 33, true],
  ['iam', 'GetRole', 31, true],
  ['ec2', 'DescribeSecurityGroups', 31, true],
  ['ec2', 'DescribeAvailabilityZones', 29, true],
  ['ec2', 'DescribeAddresses', 28, true],
  ['ec2', 'DescribeNetworkAcls', 26, true],
  ['ec2', 'DescribeInternetGateways', 24, true],
  ['ec2', 'DescribeVolumes', 24, true],
  ['rds', 'DescribeDBEngineVersions', 21, true],
  ['secretsmanager', 'CreateSecret', 20, false],
  ['secretsmanager', 'PutSecretValue', 20, false],
  ['kms', 'GenerateDataKey', 20, true],
  ['ec2', 'DescribeImages', 20, true],
  ['ec2', 'DescribeNetworkInterfaces', 19, true],
  ['s3', 'GetBucketLogging', 18, true],
  ['sts', 'GetCallerIdentity', 18, true],
  ['secretsmanager', 'DeleteSecret', 17, false],
  ['s3', 'GetBucketPublicAccessBlock', 16, true],
  ['s3', 'GetBucketPolicyStatus', 16, true],
  ['s3', 'ListAccessPoints', 16, true],
  ['s3', 'GetBucketTagging', 15, true],
  ['rds', 'DescribeDBSnapshots', 15, true],
  ['s3', 'GetBucketPolicy', 14, true],
  ['iam', 'CreateRole', 14, false],
  ['iam', 'DeleteRole', 13, false],
  ['iam', 'ListInstanceProfilesForRole', 13, true],
  ['iam', 'GetRolePolicy', 11, true],
  ['ec2', 'DescribeSnapshots', 11, true],
  ['ec2', 'DescribeTags', 10, true],
  ['ssm', 'GetParameters', 10, true],
  ['ssm', 'GetCommandInvocation', 10, true],
  ['s3', 'GetBucketLifecycle', 10, true],
  ['s3', 'GetBucketVersioning', 10, true],
  ['s3', 'GetBucketCors', 10, true],
  ['ec2', 'CreateTags', 8, false],
  ['lambda', 'ListFunctions20150331', 8, true],
  ['logs', 'CreateLogStream', 6, false],
]

/**
 * Rule-relevant events, as a share of all records. assumed, modelled on the scratch benchmark's mix
 * (reference/bench/gen.mjs: ConsoleLogin 0.7 %, AuthorizeSecurityGroupIngress 0.5 %, PutBucketAcl/PutBucketPolicy/
 * StopLogging ~0.12 % each) and lowered a little, so that the shipped packs fire on ~1 % of records.
 * `variant` picks the interesting sub-case (no MFA, public grant, public policy...) with the given probability.
 */
export const RULE_EVENTS = [
  ['signin', 'ConsoleLogin', 0.005],
  ['ec2', 'AuthorizeSecurityGroupIngress', 0.003],
  ['ec2', 'RevokeSecurityGroupIngress', 0.0005],
  ['ec2', 'CreateSecurityGroup', 0.0003],
  ['ec2', 'CreateRoute', 0.0005],
  ['ec2', 'CreateNetworkAclEntry', 0.0001],
  ['ec2', 'CreateVpc', 0.0001],
  ['ec2', 'AttachInternetGateway', 0.0001],
  ['s3', 'PutBucketAcl', 0.001],
  ['s3', 'PutBucketPolicy', 0.001],
  ['s3', 'DeleteBucketPolicy', 0.0002],
  ['s3', 'PutBucketPublicAccessBlock', 0.0004],
  ['s3', 'DeleteBucketPublicAccessBlock', 0.0001],
  ['s3', 'PutBucketLifecycle', 0.0002],
  ['cloudtrail', 'StopLogging', 0.0002],
  ['cloudtrail', 'UpdateTrail', 0.0001],
  ['cloudtrail', 'PutEventSelectors', 0.0001],
  ['iam', 'PutRolePolicy', 0.001],
  ['iam', 'AttachRolePolicy', 0.0008],
  ['iam', 'CreateAccessKey', 0.0005],
  ['kms', 'ScheduleKeyDeletion', 0.00005],
  ['config', 'StopConfigurationRecorder', 0.00003],
  ['organizations', 'LeaveOrganization', 0.00001],
]

/** assumed shares of the interesting sub-case of each rule-relevant event. */
export const VARIANTS = {
  consoleNoMfa: 0.2, // ConsoleLogin without MFA (CIS 4.2)
  consoleFailed: 0.05, // "Failed authentication" (CIS 4.6)
  publicAcl: 0.25, // PutBucketAcl granting AllUsers/AuthenticatedUsers (public-s3-acl-*)
  publicPolicy: 0.2, // PutBucketPolicy with Principal "*" (public-s3-policy)
  bpaWeakened: 0.5, // PutBucketPublicAccessBlock turning settings off
}

/** assumed: a handful of accounts and regions, us-east-1 heavy (all real datasets are us-east-1). */
export const ACCOUNTS = ['111122223333', '444455556666', '777788889999', '123456789012']
export const REGIONS = [
  ['us-east-1', 60],
  ['eu-west-1', 20],
  ['us-west-2', 15],
  ['ap-southeast-2', 5],
]

/** measured: delivered objects gzip 8.7:1; real small objects hold a median of 20 records (max 394). */
export const GZIP_RATIO_REAL = 8.69
