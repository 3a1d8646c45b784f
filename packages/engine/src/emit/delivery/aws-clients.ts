/**
 * The AWS clients delivery uses, built as the S3 source builds its own (source/s3-client.ts): credentials from
 * the SDK's default chain (environment, shared config and SSO, web identity, container and instance roles) with
 * `profile` handed to it, the same socket timeouts, an endpoint override. Besides `endpointUrl`, the SDK's own
 * service endpoint settings apply (AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_EVENTBRIDGE,
 * AWS_ENDPOINT_URL_SECURITYHUB, or `services` in the profile), which is how the CLI is pointed at a test server.
 *
 * One attempt per request: retry.ts retries, so a throttled call is retried once per attempt, not eight times
 * over. The SDKs load on first use, synchronously (their CommonJS build), like the S3 one (source/s3-sdk.ts).
 */
import { createRequire } from 'node:module'
import type * as EventBridge from '@aws-sdk/client-eventbridge'
import type * as SecurityHub from '@aws-sdk/client-securityhub'
import type * as SNS from '@aws-sdk/client-sns'
import type { S3ClientOptions } from '../../source/s3-client.js'

const require = createRequire(import.meta.url)

/** The S3 client's options that mean the same for every AWS client. */
export type AwsClientOptions = Pick<S3ClientOptions, 'profile' | 'region' | 'endpointUrl' | 'timeouts'>

const CONNECT_MS = 5_000
const IDLE_MS = 30_000

function common(opts: AwsClientOptions): Record<string, unknown> {
  return {
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...(opts.region === undefined ? {} : { region: opts.region }),
    ...(opts.endpointUrl === undefined ? {} : { endpoint: opts.endpointUrl }),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: opts.timeouts?.connectMs ?? CONNECT_MS, socketTimeout: opts.timeouts?.idleMs ?? IDLE_MS },
  }
}

export function securityHubClient(opts: AwsClientOptions): SecurityHub.SecurityHubClient {
  const sdk = require('@aws-sdk/client-securityhub') as typeof SecurityHub
  return new sdk.SecurityHubClient(common(opts))
}

export function snsClient(opts: AwsClientOptions): SNS.SNSClient {
  const sdk = require('@aws-sdk/client-sns') as typeof SNS
  return new sdk.SNSClient(common(opts))
}

export function eventBridgeClient(opts: AwsClientOptions): EventBridge.EventBridgeClient {
  const sdk = require('@aws-sdk/client-eventbridge') as typeof EventBridge
  return new sdk.EventBridgeClient(common(opts))
}

/** The command classes, loaded with their client. */
export const commands = {
  batchImportFindings: (input: SecurityHub.BatchImportFindingsCommandInput) =>
    new (require('@aws-sdk/client-securityhub') as typeof SecurityHub).BatchImportFindingsCommand(input),
  publishBatch: (input: SNS.PublishBatchCommandInput) => new (require('@aws-sdk/client-sns') as typeof SNS).PublishBatchCommand(input),
  putEvents: (input: EventBridge.PutEventsCommandInput) =>
    new (require('@aws-sdk/client-eventbridge') as typeof EventBridge).PutEventsCommand(input),
}
