import { createRequire } from 'node:module'
import type * as S3 from '@aws-sdk/client-s3'

/**
 * The AWS SDK takes ~150 ms to load, more than a local scan spends on anything else before its first record,
 * and more than half of `trailscan --version`'s budget. It is therefore loaded on first use, synchronously
 * (its CommonJS build), so the rest of the S3 source keeps plain synchronous signatures.
 */
const require = createRequire(import.meta.url)
let loaded: typeof S3 | undefined

export function s3Sdk(): typeof S3 {
  loaded ??= require('@aws-sdk/client-s3') as typeof S3
  return loaded
}
