// The tests' name for the loopback s3rver; the code is s3rver.mjs (shared with benchmarks/).
export { S3RVER_CREDENTIALS, startS3rver, type RunningS3rver } from './s3rver.mjs'
