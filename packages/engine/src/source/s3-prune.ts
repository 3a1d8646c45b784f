/**
 * Pure pruning logic for the S3 lister: where a user prefix sits in CloudTrail's key layout, which children of
 * a layout level can hold wanted keys, and whether a listed key is kept. No I/O here, so the lister's request
 * plan can be reasoned about (and tested) from these rules alone.
 *
 *   [prefix/]AWSLogs/[o-id/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/<region>/YYYY/MM/DD/<file>
 *
 * Path dates are delivery dates, so the event-time window is widened by a margin before it prunes days.
 */
import { UsageError } from '../errors.js'
import type { KeyInfo } from './key-layout.js'

/**
 * The layout level whose children a walk node enumerates (`account`: the accounts under an organization id;
 * `files`: a fixed day, only objects below).
 */
export type Level = 'top' | 'account' | 'product' | 'region' | 'year' | 'month' | 'day' | 'files'

export interface WalkNode {
  level: Level
  /** Key prefix of the node, ending in '/'. */
  prefix: string
  /** Start of the next segment the user's prefix already named (it did not end in '/'), else ''. */
  partial: string
  org?: string
  account?: string
  product?: string
  region?: string
  year?: string
  month?: string
  day?: string
}

export type StartPoint =
  /** The prefix is at or inside an AWSLogs/ tree that fits the layout. */
  | { mode: 'layout'; node: WalkNode }
  /** No AWSLogs/ in the prefix: look for AWSLogs/ directories below it. */
  | { mode: 'search'; prefix: string }
  /** Inside AWSLogs/ but off the CloudTrail layout (e.g. AWSLogs/<acct>/Config/): list it as it is. */
  | { mode: 'plain'; prefix: string }

/** Inclusive `YYYY-MM-DD` bounds on delivery dates; a missing side is open. */
export interface DayWindow {
  lo?: string
  hi?: string
}

export interface KeyFilter {
  accounts?: ReadonlySet<string>
  regions?: ReadonlySet<string>
  window: DayWindow
  includeDigest: boolean
  includeInsight: boolean
}

export const ORG_RE = /^o-[a-z0-9]{10,32}$/
export const ACCOUNT_RE = /^\d{12}$/
export const REGION_RE = /^[a-z0-9-]+$/
const YEAR_RE = /^\d{4}$/
const TWO_DIGITS_RE = /^\d{2}$/
const PRODUCTS = ['CloudTrail', 'CloudTrail-Digest', 'CloudTrail-Insight'] as const
const AWSLOGS_RE = /(^|\/)AWSLogs(\/|$)/
const DAY_MS = 86_400_000

/** The child node one full segment below `node`, or undefined when the segment does not fit the layout. */
export function descend(node: WalkNode, seg: string): WalkNode | undefined {
  const base = { ...node, prefix: `${node.prefix}${seg}/`, partial: '' }
  switch (node.level) {
    case 'top':
      if (ORG_RE.test(seg)) return { ...base, level: 'account', org: seg }
      return ACCOUNT_RE.test(seg) ? { ...base, level: 'product', account: seg } : undefined
    case 'account':
      return ACCOUNT_RE.test(seg) ? { ...base, level: 'product', account: seg } : undefined
    case 'product':
      return (PRODUCTS as readonly string[]).includes(seg) ? { ...base, level: 'region', product: seg } : undefined
    case 'region':
      return REGION_RE.test(seg) ? { ...base, level: 'year', region: seg } : undefined
    case 'year':
      return YEAR_RE.test(seg) ? { ...base, level: 'month', year: seg } : undefined
    case 'month':
      return TWO_DIGITS_RE.test(seg) ? { ...base, level: 'day', month: seg } : undefined
    case 'day':
      return TWO_DIGITS_RE.test(seg) ? { ...base, level: 'files', day: seg } : undefined
    case 'files':
      return undefined
  }
}

/** Places a user prefix (anything after `s3://bucket/`) in the layout. */
export function startPoint(prefix: string): StartPoint {
  const m = AWSLOGS_RE.exec(prefix)
  if (m === null) return { mode: 'search', prefix }
  const baseEnd = m.index + m[1]!.length + 'AWSLogs'.length
  const segments = prefix.slice(baseEnd + 1).split('/')
  // split always yields at least one element: the (possibly empty) partial segment after the last '/'.
  const partial = segments.pop() ?? ''
  let node: WalkNode = { level: 'top', prefix: `${prefix.slice(0, baseEnd)}/`, partial: '' }
  for (const seg of segments) {
    const next = descend(node, seg)
    if (next === undefined) return { mode: 'plain', prefix }
    node = next
  }
  return { mode: 'layout', node: { ...node, partial } }
}

/** Day (UTC) of `d` shifted by `days`, as `YYYY-MM-DD`. */
function utcDay(d: Date, days: number): string {
  return new Date(d.getTime() + days * DAY_MS).toISOString().slice(0, 10)
}

/** The delivery-date window to list for an event-time window, widened by `marginDays` at both ends. */
export function dayWindow(start: Date | undefined, end: Date | undefined, marginDays = 1): DayWindow {
  if (!Number.isInteger(marginDays) || marginDays < 0) throw new UsageError(`marginDays must be a whole number ≥ 0`)
  for (const d of [start, end]) {
    if (d !== undefined && Number.isNaN(d.getTime())) throw new UsageError('start/end is not a valid date')
  }
  if (start !== undefined && end !== undefined && start > end) throw new UsageError('start is after end')
  const w: DayWindow = {}
  if (start !== undefined) w.lo = utcDay(start, -marginDays)
  if (end !== undefined) w.hi = utcDay(end, marginDays)
  return w
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

export function daysInMonth(year: string, month: string): number {
  return new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
}

/** Products (the directory after the account) the walk descends into. */
export function wantedProducts(f: KeyFilter): string[] {
  return PRODUCTS.filter((p) => p === 'CloudTrail' || (p === 'CloudTrail-Digest' ? f.includeDigest : f.includeInsight))
}

/** Inclusive delivery-day span a node covers once its year is known, else undefined (any day). */
export function nodeSpan(node: WalkNode): [string, string] | undefined {
  const { year, month, day } = node
  if (year === undefined) return undefined
  if (month === undefined) return [`${year}-01-01`, `${year}-12-31`]
  if (day === undefined) {
    const last = String(daysInMonth(year, month)).padStart(2, '0')
    return [`${year}-${month}-01`, `${year}-${month}-${last}`]
  }
  return [`${year}-${month}-${day}`, `${year}-${month}-${day}`]
}

/** Whether a node (from the user's prefix or a listing) can hold keys the filter keeps. */
export function nodeAllowed(node: WalkNode, f: KeyFilter): boolean {
  if (node.account !== undefined && f.accounts !== undefined && !f.accounts.has(node.account)) return false
  if (node.product !== undefined && !wantedProducts(f).includes(node.product)) return false
  if (node.region !== undefined && f.regions !== undefined && !f.regions.has(node.region)) return false
  const span = nodeSpan(node)
  return span === undefined || overlap(f.window, span[0], span[1]) !== 'none'
}

/**
 * Whether nothing below the node needs pruning any more, so one flat listing of it is the cheapest way to get
 * every key (1,000 per request, against a request per directory for a delimiter walk).
 */
export function collapsible(node: WalkNode, f: KeyFilter): boolean {
  switch (node.level) {
    case 'top':
    case 'account':
    case 'product':
      return false
    case 'region':
      return f.regions === undefined && windowIsOpen(f.window)
    case 'year':
      return windowIsOpen(f.window)
    case 'month':
    case 'day': {
      const span = nodeSpan(node)
      return span !== undefined && overlap(f.window, span[0], span[1]) === 'all'
    }
    case 'files':
      return true
  }
}

/** Kind from a CloudTrail file name alone, for files stored outside the AWSLogs/ layout. */
function fileNameKind(key: string): 'digest' | 'insight' | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1)
  if (/_CloudTrail-Digest_/.test(name)) return 'digest'
  if (/_CloudTrail-Insight_/.test(name)) return 'insight'
  return undefined
}

/**
 * Why a listed key is not yielded, or undefined when it is. Layout keys obey every filter. Other keys are
 * dropped inside an AWSLogs/ walk (not CloudTrail data) but kept in a plain listing, where the user pointed at a
 * non-layout prefix on purpose; only digest and insight files recognisable by name are held back there.
 */
export function skipReason(key: string, info: KeyInfo, f: KeyFilter, area: 'layout' | 'plain'): string | undefined {
  if (key.endsWith('/')) return 'folder marker' // zero-byte objects made by consoles and sync tools
  const kind = info.kind === 'other' && area === 'plain' ? (fileNameKind(key) ?? 'other') : info.kind
  if (kind === 'digest' && !f.includeDigest) return 'digest file'
  if (kind === 'insight' && !f.includeInsight) return 'insight file'
  if (info.kind === 'other') return area === 'layout' ? 'not a CloudTrail file in the AWSLogs/ layout' : undefined
  if (f.accounts !== undefined && (info.account === undefined || !f.accounts.has(info.account))) return 'other account'
  if (f.regions !== undefined && (info.region === undefined || !f.regions.has(info.region))) return 'other region'
  const day = info.deliveryDate
  return day === undefined || overlap(f.window, day, day) !== 'none' ? undefined : 'delivered outside the time window'
}
