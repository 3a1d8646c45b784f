// Types for s3rver.mjs, which stays JavaScript so that benchmarks/ can import it without a build.

export const S3RVER_CREDENTIALS: { readonly accessKeyId: 'S3RVER'; readonly secretAccessKey: 'S3RVER' }
export const S3RVER_ENV: Readonly<
  Record<'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY' | 'AWS_REGION' | 'AWS_EC2_METADATA_DISABLED', string>
>

export interface RunningS3rver {
  endpoint: string
  port: number
  stop(): Promise<void>
}

export function startS3rver(buckets: string[]): Promise<RunningS3rver>
