// The tests' name for the loopback s3rver; the code is s3rver.mjs (shared with benchmarks/).
export { S3RVER_CREDENTIALS, S3RVER_ENV, startS3rver, type RunningS3rver } from './s3rver.mjs'
