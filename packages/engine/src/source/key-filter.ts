/**
 * The key filter: whether an object's key (account, region, delivery date: source/key-layout.ts) shows it holds
 * nothing inside a responder's filters. One filter for the S3 lister (which skips such keys, and prunes whole
 * layout levels by the same day window) and for `scan()` (which counts them as pruned), so the lister never
 * yields an object that the scan then prunes.
 *
 * Delivery follows the event, usually within minutes but without a guarantee: an object delivered on a day that
 * ended before the window started holds only earlier events, so the start side needs no margin, while the end
 * side carries `marginDays` for late deliveries. A key that does not name an account or region (outside the
 * layout) may hold anything.
 */
import type { KeyInfo } from './key-layout.js'

/** Inclusive `YYYY-MM-DD` bounds on delivery dates; a missing side is open. */
export interface DayWindow {
  lo?: string
  hi?: string
}

export interface KeyFilter {
  accounts?: ReadonlySet<string>
  regions?: ReadonlySet<string>
  window: DayWindow
}

const DAY_MS = 86_400_000

/** The default margin, in days, between the end of the event-time window and the last delivery day read. */
export const DELIVERY_MARGIN_DAYS = 1

/** Day (UTC) of the instant `ms`, as `YYYY-MM-DD`. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/**
 * The delivery days that may hold events in the event-time window [start, end): from the day `start` falls on,
 * to the last day that starts less than `marginDays` days after `end` (end is exclusive).
 */
export function deliveryDays(start: Date | undefined, end: Date | undefined, marginDays: number): DayWindow {
  const w: DayWindow = {}
  if (start !== undefined && !Number.isNaN(start.getTime())) w.lo = utcDay(start.getTime())
  if (end !== undefined && !Number.isNaN(end.getTime())) w.hi = utcDay(end.getTime() + marginDays * DAY_MS - 1)
  return w
}

export function keyFilter(opts: {
  start?: Date | undefined
  end?: Date | undefined
  accounts?: readonly string[] | undefined
  regions?: readonly string[] | undefined
  marginDays: number
}): KeyFilter {
  const f: KeyFilter = { window: deliveryDays(opts.start, opts.end, opts.marginDays) }
  if (opts.accounts !== undefined && opts.accounts.length > 0) f.accounts = new Set(opts.accounts)
  if (opts.regions !== undefined && opts.regions.length > 0) f.regions = new Set(opts.regions)
  return f
}

export function windowIsOpen(w: DayWindow): boolean {
  return w.lo === undefined && w.hi === undefined
}

/** How the inclusive day span [from, to] meets the window. */
export function overlap(w: DayWindow, from: string, to: string): 'none' | 'part' | 'all' {
  if ((w.hi !== undefined && from > w.hi) || (w.lo !== undefined && to < w.lo)) return 'none'
  const inside = (w.lo === undefined || from >= w.lo) && (w.hi === undefined || to <= w.hi)
  return inside ? 'all' : 'part'
}

/** Why the key holds nothing the filter wants, or undefined when it may. */
export function keyRejection(
  info: KeyInfo,
  f: KeyFilter,
): 'other account' | 'other region' | 'delivered outside the time window' | undefined {
  if (f.accounts !== undefined && info.account !== undefined && !f.accounts.has(info.account)) return 'other account'
  if (f.regions !== undefined && info.region !== undefined && !f.regions.has(info.region)) return 'other region'
  const day = info.deliveryDate
  return day === undefined || overlap(f.window, day, day) !== 'none' ? undefined : 'delivered outside the time window'
}

/**
 * Whether an object's key may hold events in the window: the lister's and scan()'s rule, for a caller that
 * filters a listing itself (a stateful run bounds its first listing at --end without cutting records there).
 */
export function keyInWindow(key: KeyInfo, window: { start?: Date | undefined; end?: Date | undefined }): boolean {
  return keyRejection(key, keyFilter({ ...window, marginDays: DELIVERY_MARGIN_DAYS })) === undefined
}
