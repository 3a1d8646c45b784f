import { parseInstant } from '@trailscan/engine/local-scan'
import { EXIT } from './exit-codes.js'
import { CliExit, describeError } from './fail.js'

/**
 * Option values yargs lets through but a command cannot use, checked before any work starts so that each is a
 * one-line usage error (exit 2), never a stack trace half-way through a scan.
 */

/** yargs turns an option given twice into an array, which a single-valued option's code would not expect. */
export function singleValued(args: Record<string, unknown>, names: readonly string[]): void {
  for (const n of names) if (Array.isArray(args[n])) throw new CliExit(EXIT.usage, `--${n} was given more than once`)
}

export function integerInRange(args: Record<string, unknown>, name: string, min: number, max: number): void {
  const v = args[name]
  if (v === undefined) return
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- echoes a yargs value (string, number, array) as typed
    throw new CliExit(EXIT.usage, `--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(String(v))}`)
}

export function eachMatches(args: Record<string, unknown>, name: string, pattern: RegExp, what: string): void {
  const v = args[name]
  if (v === undefined) return
  for (const x of Array.isArray(v) ? v : [v])
    if (typeof x !== 'string' || !pattern.test(x)) throw new CliExit(EXIT.usage, `--${name} ${JSON.stringify(String(x))} is not ${what}`)
}

export const ACCOUNT_ID = /^\d{12}$/
/** us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1, … */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/

export function httpUrl(args: Record<string, unknown>, name: string): void {
  const v = args[name]
  if (v === undefined) return
  let url: URL | undefined
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- echoes a yargs value (string, number, array) as typed
    url = new URL(String(v))
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- echoes a yargs value (string, number, array) as typed
    throw new CliExit(EXIT.usage, `--${name} ${JSON.stringify(String(v))} is not an http:// or https:// URL`)
}

export function nonEmpty(args: Record<string, unknown>, names: readonly string[]): void {
  for (const n of names) {
    const v = args[n]
    for (const x of v === undefined ? [] : Array.isArray(v) ? v : [v])
      if (typeof x === 'string' && x.trim() === '') throw new CliExit(EXIT.usage, `--${n} needs a value`)
  }
}

/** An ISO 8601 instant option (--start, --end) as a Date; a bad one is a usage error naming the flag. */
export function instantOption(v: string | undefined, flag: string): Date | undefined {
  if (v === undefined) return undefined
  try {
    return parseInstant(v, flag)
  } catch (e) {
    throw new CliExit(EXIT.usage, describeError(e))
  }
}
