import { UsageError } from './errors.js'

/**
 * ISO 8601 instants as responders type them. A value without a zone is UTC (never the machine's local time),
 * and anything else is an error: an unparseable --start must never turn into an empty result.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/

export function parseInstant(text: string, what = 'time'): Date {
  const m = ISO.exec(text.trim())
  if (!m) throw new UsageError(`${what}: "${text}" is not an ISO 8601 time such as 2024-05-01 or 2024-05-01T13:45:00Z`)
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m
  const zoned = zone === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${zoned}`
  const ms = Date.parse(iso)
  // Date.parse rolls 2024-02-30 over to March; a calendar check catches it.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)))
  if (Number.isNaN(ms) || day.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    throw new UsageError(`${what}: "${text}" is not a valid date and time`)
  return new Date(ms)
}

/** [start, end): start inclusive, end exclusive, either side open. */
export interface TimeWindow {
  start?: Date
  end?: Date
}

export function inWindow(ms: number, w: TimeWindow): boolean {
  if (w.start && !(ms >= w.start.getTime())) return false
  if (w.end && !(ms < w.end.getTime())) return false
  return true
}

const DAY = 86_400_000

/**
 * Could an object delivered on `deliveryDate` (YYYY-MM-DD, from its key) hold events inside the window?
 * Delivery follows the event, usually within minutes but without a guarantee, so the far side carries a margin.
 */
export function deliveryDayMayOverlap(deliveryDate: string, w: TimeWindow, marginDays: number): boolean {
  const dayStart = Date.parse(`${deliveryDate}T00:00:00Z`)
  if (Number.isNaN(dayStart)) return true
  if (w.start && dayStart + DAY <= w.start.getTime()) return false
  if (w.end && dayStart - marginDays * DAY >= w.end.getTime()) return false
  return true
}
