import type { Argv } from 'yargs'
import type { ScanArgs } from './scan-command.js'

/** What a listing reads from the command line (scan and plan). */
export type ListingArgs = Pick<
  ScanArgs,
  | 'paths'
  | 'start'
  | 'end'
  | 'account'
  | 'region'
  | 'profile'
  | 's3-region'
  | 'endpoint-url'
  | 'request-payer'
  | 'include-digest'
  | 'include-insight'
  | 's3-idle-timeout'
  | 's3-object-timeout'
  | 's3-max-list-pages'
  | 's3-max-list-keys'
  | 's3-retry-budget'
  | 'progress'
>

/**
 * The options that decide what is listed: the window, accounts and regions, and how S3 is reached. `scan` and
 * `plan` list alike, so a plan covers exactly what a scan with the same options would read.
 */
export function listingOptions<T>(y: Argv<T>) {
  return y
    .option('start', { type: 'string', describe: 'only events at or after this time (ISO 8601, UTC)' })
    .option('end', { type: 'string', describe: 'only events before this time (ISO 8601, UTC)' })
    .option('account', { type: 'string', array: true, describe: 'only these account ids (repeatable)' })
    .option('region', { type: 'string', array: true, describe: 'only these regions (repeatable)' })
    .option('profile', { type: 'string', describe: 'AWS profile for S3 (default credential chain otherwise)', group: 'S3:' })
    .option('s3-region', { type: 'string', describe: 'region of the S3 client (default from the environment/profile)', group: 'S3:' })
    .option('endpoint-url', { type: 'string', describe: 'S3-compatible endpoint (path-style addressing)', group: 'S3:' })
    .option('request-payer', { type: 'boolean', default: false, describe: 'send x-amz-request-payer: requester', group: 'S3:' })
    .option('include-digest', {
      type: 'boolean',
      default: false,
      describe: 'list CloudTrail-Digest objects too (counted, never scanned as events)',
      group: 'S3:',
    })
    .option('include-insight', { type: 'boolean', default: false, describe: 'list CloudTrail-Insight objects too', group: 'S3:' })
    .option('s3-idle-timeout', {
      type: 'string',
      describe: 'seconds an S3 connection may stay silent before the request is retried (default 30)',
      group: 'S3:',
    })
    .option('s3-object-timeout', {
      type: 'string',
      describe: 'seconds one S3 request (an object GET, a listing page) may take, first to last byte; a late GET is resumed (default 120)',
      group: 'S3:',
    })
    .option('s3-max-list-pages', {
      type: 'string',
      describe: 'pages one listing (one prefix) may have before it is reported and left (default 100000)',
      group: 'S3:',
    })
    .option('s3-max-list-keys', {
      type: 'string',
      describe: 'keys one listing (one prefix) may have before it is reported and left (default 10000000)',
      group: 'S3:',
    })
    .option('s3-retry-budget', {
      type: 'string',
      describe: 'retries the whole run may spend on S3 failures; then failures are reported unretried (default 1000)',
      group: 'S3:',
    })
}
