/**
 * The S3 source: a client factory, the pruning lister and the fatal-error test the CLI needs. Objects come out
 * as LogObjects whose `open()` streams and resumes the body (s3-object.ts).
 */
export { createS3Client, type S3ClientOptions } from './s3-client.js'
export { LIST_DEFAULTS, ListingFault, listS3Objects, type ListS3Options, type S3ListRequest } from './s3-list.js'
export { DEFAULT_OBJECT_TIMEOUT_MS, openS3Object, s3Object, type ResumeOptions, type S3ObjectContext } from './s3-object.js'
export { DEFAULT_RETRY_BUDGET, RetryBudget, type RetryReport } from './s3-retry.js'
export { FatalS3Error, isFatalS3Error } from './s3-errors.js'
export { isS3Uri, parseS3Uri, type S3Location } from './s3-uri.js'
