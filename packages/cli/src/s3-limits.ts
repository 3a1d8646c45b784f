import type { ScanArgs } from './commands/scan-command.js'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

/** The deadlines and bounds of an S3 scan, as given on the command line; unset ones keep the engine's defaults. */
export interface S3Limits {
  idleMs?: number
  objectTimeoutMs?: number
  maxListPages?: number
  maxListKeys?: number
  retryBudget?: number
}

type LimitFlag = 's3-idle-timeout' | 's3-object-timeout' | 's3-max-list-pages' | 's3-max-list-keys' | 's3-retry-budget'

const SECONDS_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/
const COUNT_RE = /^\d+$/

function raw(args: Pick<ScanArgs, LimitFlag>, flag: LimitFlag): string | undefined {
  const v: unknown = args[flag]
  if (v === undefined) return undefined
  if (Array.isArray(v)) throw new CliExit(EXIT.usage, `--${flag} is given more than once`)
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- echoes a yargs value (string, number, array) as typed
  return String(v)
}

/** Seconds above 0 (decimals allowed), as milliseconds. */
function seconds(args: Pick<ScanArgs, LimitFlag>, flag: LimitFlag): number | undefined {
  const v = raw(args, flag)
  if (v === undefined) return undefined
  const ms = SECONDS_RE.test(v) ? Math.round(Number(v) * 1000) : NaN
  if (!(ms >= 1 && ms <= 2 ** 31 - 1))
    throw new CliExit(EXIT.usage, `--${flag} must be a number of seconds above 0 (at most 24 days), not ${JSON.stringify(v)}`)
  return ms
}

function count(args: Pick<ScanArgs, LimitFlag>, flag: LimitFlag, min: number): number | undefined {
  const v = raw(args, flag)
  if (v === undefined) return undefined
  const n = COUNT_RE.test(v) ? Number(v) : NaN
  if (!(Number.isSafeInteger(n) && n >= min))
    throw new CliExit(EXIT.usage, `--${flag} must be a whole number of at least ${min}, not ${JSON.stringify(v)}`)
  return n
}

/** Checks the S3 limit options before anything is scanned (exit 2 with one line on a bad value). */
export function s3Limits(args: Pick<ScanArgs, LimitFlag>): S3Limits {
  const limits: S3Limits = {}
  const idleMs = seconds(args, 's3-idle-timeout')
  const objectTimeoutMs = seconds(args, 's3-object-timeout')
  const maxListPages = count(args, 's3-max-list-pages', 1)
  const maxListKeys = count(args, 's3-max-list-keys', 1)
  const retryBudget = count(args, 's3-retry-budget', 0)
  if (idleMs !== undefined) limits.idleMs = idleMs
  if (objectTimeoutMs !== undefined) limits.objectTimeoutMs = objectTimeoutMs
  if (maxListPages !== undefined) limits.maxListPages = maxListPages
  if (maxListKeys !== undefined) limits.maxListKeys = maxListKeys
  if (retryBudget !== undefined) limits.retryBudget = retryBudget
  return limits
}
