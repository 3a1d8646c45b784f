/**
 * S3 failures → SourceReadError. Two classes of failure matter to a scan: per-object ones (the object is gone,
 * denied, archived; the scan records it and goes on) and fatal ones (credentials, missing bucket, a listing that
 * cannot continue), where every further request would fail the same way and the CLI should stop at once.
 */
import { SourceReadError } from '../errors.js'
import { budgetRefusal } from './s3-retry.js'

/** A SourceReadError that should end the run: nothing else from this source can be read. */
export class FatalS3Error extends SourceReadError {
  readonly fatal = true
}

/** S3 error codes (the SDK's `err.name`) and credential-chain error names that no retry or next object fixes. */
const FATAL_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidToken',
  'TokenRefreshRequired',
  'AccountProblem',
  'AllAccessDisabled',
  'NoSuchBucket',
  'PermanentRedirect',
  'CredentialsProviderError',
  'TokenProviderError',
  'InvalidIdentityToken',
])

const HINTS: Record<string, string> = {
  AccessDenied: 'access denied (check s3:GetObject / s3:ListBucket and any KMS key policy)',
  NoSuchKey: 'object not found (deleted since it was listed?)',
  InvalidObjectState: 'object is archived (Glacier / Deep Archive); restore it first',
  NoSuchBucket: 'bucket does not exist',
  InvalidAccessKeyId: 'the access key id is not known to AWS (bad credentials)',
  SignatureDoesNotMatch: 'request signature rejected (wrong secret key or clock skew)',
  ExpiredToken: 'the session token has expired (refresh credentials, e.g. `aws sso login`)',
  ExpiredTokenException: 'the session token has expired (refresh credentials, e.g. `aws sso login`)',
  CredentialsProviderError: 'no AWS credentials found (set AWS_PROFILE, run `aws sso login`, or use --profile)',
  PreconditionFailed: 'object changed while it was being read (ETag no longer matches)',
  RequestTimeout: 'request timed out',
  SlowDown: 'throttled by S3 (SlowDown) after all retries',
}

interface AwsErrorShape {
  name?: string
  message?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
}

function shape(err: unknown): AwsErrorShape {
  return typeof err === 'object' && err !== null ? err : {}
}

/** The S3 error code of an SDK error (`AccessDenied`, `NoSuchKey` …), or the Node error code for network errors. */
function s3ErrorCode(err: unknown): string | undefined {
  const e = shape(err)
  if (e.name === 'Error' || e.name === undefined) return e.code
  return e.name
}

/** HTTP status of an SDK service error, if it got that far. */
function s3HttpStatus(err: unknown): number | undefined {
  return shape(err).$metadata?.httpStatusCode
}

/**
 * True when the error means the whole S3 source is unusable (bad or expired credentials, no credentials at all,
 * a missing bucket), so the run should stop with exit 2 instead of failing object after object.
 */
export function isFatalS3Error(err: unknown): boolean {
  if (err instanceof FatalS3Error) return true
  if (err instanceof SourceReadError) return err.cause !== undefined && isFatalS3Error(err.cause)
  const code = s3ErrorCode(err)
  if (code !== undefined && FATAL_NAMES.has(code)) return true
  // The credential chain's final error is a plain CredentialsProviderError; SSO and STS failures surface with
  // their own names but always before any S3 request was sent, so no HTTP status is set.
  return /could not load credentials|credential/i.test(shape(err).message ?? '') && s3HttpStatus(err) === undefined
}

/** Describes an S3 failure in one line: hint, S3 code, HTTP status. */
function describeS3Error(err: unknown): string {
  const code = s3ErrorCode(err)
  const status = s3HttpStatus(err)
  const hint = code !== undefined ? HINTS[code] : undefined
  const detail = [code, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', ')
  const message = shape(err).message ?? String(err)
  // The hint says what to do; the store's own message is kept when it adds something (a profile name, a KMS key).
  const text = hint === undefined ? message : hint.toLowerCase().includes(message.toLowerCase()) ? hint : `${hint}: ${message}`
  return detail === '' ? text : `${text} (${detail})`
}

/** Wraps an S3 failure for one object or prefix, fatal when `isFatalS3Error` says so or the caller insists. */
export function toS3SourceError(err: unknown, uri: string, what: string, opts: { fatal?: boolean } = {}): SourceReadError {
  if (err instanceof SourceReadError) return err
  const refusal = budgetRefusal(err)
  const message = `${what} ${uri}: ${describeS3Error(err)}${refusal === undefined ? '' : `; ${refusal}`}`
  const init = { location: { object: uri }, cause: err }
  return opts.fatal === true || isFatalS3Error(err) ? new FatalS3Error(message, init) : new SourceReadError(message, init)
}

/** Network-level failures and timeouts of a response body, worth resuming with a Range request. */
export function isRetryableBodyError(err: unknown): boolean {
  const e = shape(err)
  if (e.$metadata?.httpStatusCode !== undefined) {
    const status = e.$metadata.httpStatusCode
    return status >= 500 || status === 429 || e.name === 'RequestTimeout' || e.name === 'SlowDown'
  }
  const code = e.code ?? ''
  return (
    e.name === 'TimeoutError' ||
    e.name === 'ObjectTimeoutError' ||
    e.name === 'PrematureEndError' ||
    /^(ECONNRESET|ECONNABORTED|EPIPE|ETIMEDOUT|ECONNREFUSED|ERR_STREAM_PREMATURE_CLOSE|ENETUNREACH|EHOSTUNREACH|EAI_AGAIN)$/.test(code) ||
    /aborted|socket hang up|premature close/i.test(e.message ?? '')
  )
}
