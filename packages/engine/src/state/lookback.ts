import { UsageError } from '../errors.js'

const DAY_MS = 86_400_000
/** Ten years: further back than any trail bucket's retention, and small enough that the day arithmetic stays exact. */
const MAX_DAYS = 3650

/** `--lookback` as given (`2d`, `31d`) → whole days. */
export function parseLookback(text: string): number {
  const m = /^(\d{1,4})d$/.exec(text.trim())
  const days = m ? Number(m[1]) : NaN
  if (!(days >= 0 && days <= MAX_DAYS))
    throw new UsageError(`--lookback ${text}: expected a number of days such as 2d or 31d (at most ${MAX_DAYS}d)`)
  return days
}

/** `YYYY-MM-DD` (UTC) of an instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * The first delivery day still open at `now`: a day closes once it ended more than `lookbackDays` ago. With the
 * default 2 days, a run at 10:00 on the 5th keeps the 3rd, 4th and 5th open, so an object CloudTrail adds to the
 * 3rd's prefix until 00:00 on the 6th is still found.
 */
export function firstOpenDay(now: Date, lookbackDays: number): string {
  return utcDay(now.getTime() - lookbackDays * DAY_MS)
}
