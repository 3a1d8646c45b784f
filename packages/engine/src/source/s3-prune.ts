/**
 * Pure pruning logic for the S3 lister: where a user prefix sits in CloudTrail's key layout, which children of
 * a layout level can hold wanted keys, and whether a listed key is kept. No I/O here, so the lister's request
 * plan can be reasoned about (and tested) from these rules alone.
 *
 *   [prefix/]AWSLogs/[o-id/]<account>/<CloudTrail|CloudTrail-Digest|CloudTrail-Insight>/<region>/YYYY/MM/DD/<file>
 *
 * Path dates are delivery dates: which days may hold the event-time window is the key filter's rule
 * (source/key-filter.ts), the same one scan() prunes objects by.
 */
import { UsageError } from '../errors.js'
import { DELIVERY_MARGIN_DAYS, deliveryDays, keyRejection, overlap, windowIsOpen, type DayWindow, type KeyFilter } from './key-filter.js'
import { ACCOUNT_RE, ORG_RE, PRODUCTS, REGION_RE, TWO_DIGITS_RE, YEAR_RE, type KeyInfo } from './key-layout.js'

export { ACCOUNT_RE, REGION_RE }

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

/** The key filter (source/key-filter.ts) plus the kinds of file the user asked to list. */
export interface ListFilter extends KeyFilter {
  includeDigest: boolean
  includeInsight: boolean
}

const AWSLOGS_RE = /(^|\/)AWSLogs(\/|$)/

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

/** The delivery-day window to list for an event-time window (key-filter.ts's deliveryDays), checked as a request. */
export function dayWindow(start: Date | undefined, end: Date | undefined, marginDays = DELIVERY_MARGIN_DAYS): DayWindow {
  if (!Number.isInteger(marginDays) || marginDays < 0) throw new UsageError(`marginDays must be a whole number ≥ 0`)
  for (const d of [start, end]) {
    if (d !== undefined && Number.isNaN(d.getTime())) throw new UsageError('start/end is not a valid date')
  }
  if (start !== undefined && end !== undefined && start > end) throw new UsageError('start is after end')
  return deliveryDays(start, end, marginDays)
}

export function daysInMonth(year: string, month: string): number {
  return new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
}

/** Products (the directory after the account) the walk descends into. */
export function wantedProducts(f: ListFilter): string[] {
  return PRODUCTS.filter((p) => p === 'CloudTrail' || (p === 'CloudTrail-Digest' ? f.includeDigest : f.includeInsight))
}

/** Inclusive delivery-day span a node covers once its year is known, else undefined (any day). */
function nodeSpan(node: WalkNode): [string, string] | undefined {
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
export function nodeAllowed(node: WalkNode, f: ListFilter): boolean {
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
export function collapsible(node: WalkNode, f: ListFilter): boolean {
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
export function skipReason(key: string, info: KeyInfo, f: ListFilter, area: 'layout' | 'plain'): string | undefined {
  if (key.endsWith('/')) return 'folder marker' // zero-byte objects made by consoles and sync tools
  const kind = info.kind === 'other' && area === 'plain' ? (fileNameKind(key) ?? 'other') : info.kind
  if (kind === 'digest' && !f.includeDigest) return 'digest file'
  if (kind === 'insight' && !f.includeInsight) return 'insight file'
  if (info.kind === 'other') return area === 'layout' ? 'not a CloudTrail file in the AWSLogs/ layout' : undefined
  return keyRejection(info, f)
}
