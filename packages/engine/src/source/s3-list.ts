/**
 * Lists a CloudTrail bucket as LogObjects, streamed page by page. Directory levels of the key layout are walked
 * with Delimiter='/' listings only where that prunes something (organizations, accounts, regions, date
 * directories); below the last level that still prunes, one flat listing takes every key. Those flat listings
 * run concurrently (p-limit caps requests in flight) but are yielded in key order, with at most `concurrency`
 * pages held ahead of the consumer.
 * A listing that cannot end (a continuation token seen before, keys that do not increase, more pages or keys
 * than the bounds) stops there and becomes a ListingFault naming its prefix; the other listings go on.
 */
import type { ListObjectsV2CommandOutput, S3Client } from '@aws-sdk/client-s3'
import { s3Sdk } from './s3-sdk.js'
import pLimit, { type LimitFunction } from 'p-limit'
import { UsageError } from '../errors.js'
import type { LogObject } from './log-object.js'
import { createHash } from 'node:crypto'
import { SourceReadError } from '../errors.js'
import { toS3SourceError } from './s3-errors.js'
import { flatMapOrdered } from './s3-lookahead.js'
import type { RetryBudget } from './s3-retry.js'
import { DEFAULT_OBJECT_TIMEOUT_MS, RequestDeadline, s3LogObject, s3Uri, type ResumeOptions, type S3ObjectContext } from './s3-object.js'
import {
  ACCOUNT_RE,
  REGION_RE,
  collapsible,
  dayWindow,
  daysInMonth,
  descend,
  nodeAllowed,
  skipReason,
  startPoint,
  wantedProducts,
  type ListFilter,
  type WalkNode,
} from './s3-prune.js'
import { parseCloudTrailKey } from './key-layout.js'
import { DELIVERY_MARGIN_DAYS } from './key-filter.js'

/** One ListObjectsV2 request, as reported to `onList`. `page` counts continuation requests from 0. */
export interface S3ListRequest {
  prefix: string
  delimiter?: string
  page: number
}

export interface ListS3Options {
  client: S3Client
  bucket: string
  /** Key prefix: the bucket root, a trail prefix, or any point inside `AWSLogs/…` (a partial segment is fine). */
  prefix?: string
  /** 12-digit account ids to keep. */
  accounts?: string[]
  regions?: string[]
  /** Event-time window; widened by `marginDays` to prune delivery-date directories. */
  start?: Date
  end?: Date
  /** Days added at both ends of the window, because a file is delivered after the events it holds. Default 1. */
  marginDays?: number
  includeDigest?: boolean
  includeInsight?: boolean
  /** Send `x-amz-request-payer: requester` (requester-pays buckets). */
  requestPayer?: boolean
  /** Called before every ListObjectsV2 request (logging, tests). */
  onList?: (req: S3ListRequest) => void
  /** Called for each listed key that is not yielded (digest, other account, outside the window …). */
  onSkip?: (uri: string, reason: string) => void
  /** ListObjectsV2 requests in flight at most, and listing pages held ahead of the consumer. Default 8. */
  concurrency?: number
  /** How `open()` of the yielded objects resumes a cut body. */
  resume?: ResumeOptions
  /** Total deadline of one GET of a yielded object, and of one listing page, in ms (default 120 s). */
  objectTimeoutMs?: number
  /** The run's retry budget, spent by the yielded objects' resumes. */
  retryBudget?: RetryBudget
  /** Pages one listing (one prefix, followed through its continuation tokens) may have. Default 100,000. */
  maxListPages?: number
  /** Keys (and common prefixes) one listing may have. Default 10,000,000. */
  maxListKeys?: number
  /**
   * Receives each listing that had to stop (ListingFault); the rest of the bucket is still listed. Without it,
   * the fault is thrown and ends the iteration.
   */
  onError?: (error: SourceReadError) => void
}

/** A listing that could not be followed to its end: it names the prefix, and the other listings go on. */
export class ListingFault extends SourceReadError {}

export const LIST_DEFAULTS = { maxListPages: 100_000, maxListKeys: 10_000_000 } as const

interface Ctx {
  opts: ListS3Options
  maxPages: number
  maxKeys: number
  filter: ListFilter
  limit: LimitFunction
  object: S3ObjectContext
  lookahead: number
}

const DEFAULT_CONCURRENCY = 8
/** Bounds on the search for AWSLogs/ below a prefix that does not name it. */
const SEARCH_MAX_DEPTH = 3
const SEARCH_MAX_PAGES = 20
const AWSLOGS_DIR_RE = /(^|\/)AWSLogs\/$/

/**
 * S3 orders keys by their UTF-8 bytes, which is code point order; JavaScript compares UTF-16 code units, which
 * differs only where a surrogate (a code point above U+FFFF) meets U+E000–U+FFFF.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    const xs = x >= 0xd800 && x <= 0xdfff
    const ys = y >= 0xd800 && y <= 0xdfff
    if (xs !== ys && (xs ? y : x) >= 0xe000) return xs ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

/** Whether a continuation token came before in this listing, by digest (a hostile store may send huge tokens). */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64')
}

/**
 * The pages of one listing. Everything a page holds up to a fault is still yielded; then a ListingFault is
 * thrown. SDK failures (after the SDK's retries) stay fatal.
 */
async function* listPages(ctx: Ctx, prefix: string, delimiter?: string): AsyncGenerator<ListObjectsV2CommandOutput> {
  const { client, bucket, requestPayer, onList } = ctx.opts
  const where = s3Uri(bucket, prefix)
  const fault = (why: string): ListingFault => new ListingFault(`listing ${where}: ${why}`, { location: { object: where } })
  const timeoutMs = ctx.object.objectTimeoutMs ?? DEFAULT_OBJECT_TIMEOUT_MS
  const seen = new Set<string>()
  let token: string | undefined
  let keys = 0
  let lastKey: string | undefined
  let lastPrefix: string | undefined
  for (let page = 0; ; page++) {
    if (page >= ctx.maxPages) throw fault(`more than ${ctx.maxPages} pages (raise the bound with --s3-max-list-pages)`)
    onList?.(delimiter === undefined ? { prefix, page } : { prefix, delimiter, page })
    const command = new (s3Sdk().ListObjectsV2Command)({
      Bucket: bucket,
      ...(prefix === '' ? {} : { Prefix: prefix }),
      ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
      ...(token === undefined ? {} : { ContinuationToken: token }),
      ...(requestPayer === true ? { RequestPayer: 'requester' as const } : {}),
    })
    let out: ListObjectsV2CommandOutput
    let late: RequestDeadline | undefined
    try {
      out = await ctx.limit(async () => {
        // The clock starts when the request is sent, not while it waits for a free slot.
        const d = new RequestDeadline(timeoutMs)
        try {
          return await client.send(command, { abortSignal: d.signal })
        } finally {
          d.clear()
          if (d.expired) late = d
        }
      })
    } catch (err) {
      // A page that never finishes (a store dripping its XML) ends this listing only; it is not retried.
      if (late !== undefined) throw fault(`page ${page} took longer than the request timeout of ${late.ms / 1000} s`)
      // NOTE: fatal: the store refuses to list at all (after the SDK's retries), so the next prefix would fail too.
      throw toS3SourceError(err, where, 'cannot list', { fatal: true })
    }
    // Keys and common prefixes each increase through the whole listing; a page that goes back is a store
    // serving the same keys again (a cycle the tokens did not show). The page is cut before the offending entry.
    let problem: string | undefined
    const admit = (name: string, last: string | undefined, what: string): boolean => {
      if (keys >= ctx.maxKeys) problem = `more than ${ctx.maxKeys} keys (raise the bound with --s3-max-list-keys)`
      else if (last !== undefined && compareKeys(name, last) <= 0)
        problem = `${what} ${JSON.stringify(name)} does not come after ${JSON.stringify(last)} (ListObjectsV2 keys must increase)`
      else keys++
      return problem === undefined
    }
    const contents = out.Contents ?? []
    let okContents = 0
    for (const item of contents) {
      if (item.Key !== undefined) {
        if (!admit(item.Key, lastKey, 'key')) break
        lastKey = item.Key
      }
      okContents++
    }
    const common = problem === undefined ? (out.CommonPrefixes ?? []) : []
    let okCommon = 0
    for (const cp of common) {
      if (cp.Prefix !== undefined) {
        if (!admit(cp.Prefix, lastPrefix, 'common prefix')) break
        lastPrefix = cp.Prefix
      }
      okCommon++
    }
    if (problem !== undefined) {
      yield { ...out, Contents: contents.slice(0, okContents), CommonPrefixes: common.slice(0, okCommon) }
      throw fault(problem)
    }
    yield out
    const next = out.IsTruncated === true ? out.NextContinuationToken : undefined
    if (next === undefined) return
    seen.add(tokenDigest(token ?? ''))
    if (seen.has(tokenDigest(next))) throw fault(`the store sent a continuation token it had sent before (page ${page + 1})`)
    token = next
  }
}

/** A page of objects, or the fault that ended a listing, passed along in key order to be reported in turn. */
type Listed = LogObject[] | ListingFault

/** Names of the directories one level below `node` (from a delimiter listing of prefix + partial). */
async function* subdirs(ctx: Ctx, node: WalkNode): AsyncGenerator<string | ListingFault> {
  try {
    for await (const page of listPages(ctx, node.prefix + node.partial, '/')) {
      for (const cp of page.CommonPrefixes ?? []) {
        if (cp.Prefix?.endsWith('/') === true) yield cp.Prefix.slice(node.prefix.length, -1)
      }
    }
  } catch (err) {
    if (!(err instanceof ListingFault)) throw err
    yield err
  }
}

/** Every key under `prefix` (no delimiter), filtered, one page at a time. */
async function* flatPages(ctx: Ctx, prefix: string, area: 'layout' | 'plain'): AsyncGenerator<Listed> {
  try {
    yield* objectPages(ctx, prefix, area)
  } catch (err) {
    if (!(err instanceof ListingFault)) throw err
    yield err
  }
}

async function* objectPages(ctx: Ctx, prefix: string, area: 'layout' | 'plain'): AsyncGenerator<LogObject[]> {
  for await (const page of listPages(ctx, prefix)) {
    const objects: LogObject[] = []
    for (const item of page.Contents ?? []) {
      if (item.Key === undefined) continue
      const info = parseCloudTrailKey(item.Key)
      const skip = skipReason(item.Key, info, ctx.filter, area)
      if (skip !== undefined) {
        ctx.opts.onSkip?.(s3Uri(ctx.opts.bucket, item.Key), skip)
        continue
      }
      objects.push(
        s3LogObject(ctx.object, {
          key: item.Key,
          info,
          ...(item.Size === undefined ? {} : { size: item.Size }),
          ...(item.ETag === undefined ? {} : { etag: item.ETag }),
          ...(item.LastModified === undefined ? {} : { mtime: item.LastModified }),
        }),
      )
    }
    if (objects.length > 0) yield objects
  }
}

function range(from: number, to: number, width: number): string[] {
  const out: string[] = []
  for (let i = from; i <= to; i++) out.push(String(i).padStart(width, '0'))
  return out
}

/** Segment names one level below `node`: computed where the filter or calendar fixes them, listed otherwise. */
function candidates(ctx: Ctx, node: WalkNode): Iterable<string> | AsyncIterable<string | ListingFault> {
  const f = ctx.filter
  switch (node.level) {
    case 'top':
      return subdirs(ctx, node)
    case 'account':
      return f.accounts === undefined ? subdirs(ctx, node) : [...f.accounts].sort()
    case 'product':
      return wantedProducts(f)
    case 'region':
      return f.regions === undefined ? subdirs(ctx, node) : [...f.regions].sort()
    case 'year': {
      const { lo, hi } = f.window
      return lo !== undefined && hi !== undefined ? range(Number(lo.slice(0, 4)), Number(hi.slice(0, 4)), 4) : subdirs(ctx, node)
    }
    case 'month':
      return range(1, 12, 2)
    case 'day':
      return range(1, daysInMonth(node.year ?? '2000', node.month ?? '01'), 2)
    case 'files':
      return []
  }
}

async function* children(ctx: Ctx, node: WalkNode): AsyncGenerator<WalkNode | ListingFault> {
  for await (const seg of candidates(ctx, node)) {
    if (seg instanceof ListingFault) {
      yield seg
      continue
    }
    // Listed names already match the partial segment (it was part of the listing prefix); computed ones may not.
    if (!seg.startsWith(node.partial)) continue
    const child = descend(node, seg)
    if (child !== undefined && nodeAllowed(child, ctx.filter)) yield child
  }
}

/**
 * The prefixes to list flat under `node`, in key order. Directory listings happen here, one at a time, as the
 * consumer pulls; they are few (one per directory that prunes) next to the flat listings they lead to.
 */
async function* leaves(ctx: Ctx, node: WalkNode): AsyncGenerator<string | ListingFault> {
  if (collapsible(node, ctx.filter)) {
    yield node.prefix + node.partial
    return
  }
  for await (const child of children(ctx, node)) {
    if (child instanceof ListingFault) yield child
    else yield* leaves(ctx, child)
  }
}

async function* leavesOf(ctx: Ctx, nodes: Iterable<WalkNode>): AsyncGenerator<string | ListingFault> {
  for (const node of nodes) yield* leaves(ctx, node)
}

// NOTE: lookahead sits at this one level only. Nested at every layout level it would multiply (4 per level over
// five levels is a thousand pages held), while here at most `lookahead` pages wait for the consumer.
function walk(ctx: Ctx, nodes: Iterable<WalkNode>): AsyncIterable<Listed> {
  return flatMapOrdered(
    leavesOf(ctx, nodes),
    (leaf) => (typeof leaf === 'string' ? flatPages(ctx, leaf, 'layout') : once(leaf)),
    ctx.lookahead,
  )
}

async function* once<T>(value: T): AsyncGenerator<T> {
  yield value
}

/**
 * AWSLogs/ directories below a prefix that does not name one, breadth first. The search stops at the first
 * depth where any is found (trails sharing a bucket sit at the same depth) and within a page budget, so a big
 * non-CloudTrail prefix costs a bounded number of extra requests before it is listed plainly.
 */
async function findRoots(ctx: Ctx, prefix: string, faults: ListingFault[]): Promise<string[]> {
  const roots: string[] = []
  let level = [prefix]
  let pages = 0
  for (let depth = 0; depth < SEARCH_MAX_DEPTH && level.length > 0 && roots.length === 0; depth++) {
    const next: string[] = []
    for (const dir of level) {
      try {
        for await (const page of listPages(ctx, dir, '/')) {
          for (const cp of page.CommonPrefixes ?? []) {
            if (cp.Prefix === undefined) continue
            if (AWSLOGS_DIR_RE.test(cp.Prefix)) roots.push(cp.Prefix)
            else next.push(cp.Prefix)
          }
          if (++pages >= SEARCH_MAX_PAGES) return roots
        }
      } catch (err) {
        if (!(err instanceof ListingFault)) throw err
        faults.push(err)
      }
    }
    level = next
  }
  return roots
}

async function* search(ctx: Ctx, prefix: string): AsyncGenerator<Listed> {
  const faults: ListingFault[] = []
  const roots = await findRoots(ctx, prefix, faults)
  yield* faults
  if (roots.length === 0) {
    // Not a CloudTrail layout at all (a copy of the files, an export): the user means everything under it.
    yield* flatPages(ctx, prefix, 'plain')
    return
  }
  yield* walk(
    ctx,
    roots.map((root): WalkNode => ({ level: 'top', prefix: root, partial: '' })),
  )
}

function makeFilter(opts: ListS3Options): ListFilter {
  const filter: ListFilter = {
    window: dayWindow(opts.start, opts.end, opts.marginDays ?? DELIVERY_MARGIN_DAYS),
    includeDigest: opts.includeDigest === true,
    includeInsight: opts.includeInsight === true,
  }
  if (opts.accounts !== undefined && opts.accounts.length > 0) {
    const bad = opts.accounts.find((a) => !ACCOUNT_RE.test(a))
    if (bad !== undefined) throw new UsageError(`account id must be 12 digits: ${JSON.stringify(bad)}`)
    filter.accounts = new Set(opts.accounts)
  }
  if (opts.regions !== undefined && opts.regions.length > 0) {
    const bad = opts.regions.find((r) => !REGION_RE.test(r))
    if (bad !== undefined) throw new UsageError(`not a region name: ${JSON.stringify(bad)}`)
    filter.regions = new Set(opts.regions)
  }
  return filter
}

/**
 * The objects of a CloudTrail bucket (or any prefix), pruned by account, region and delivery date, and
 * yielded as listing pages arrive. Digest and insight objects are left out unless asked for. A store that
 * refuses to list throws FatalS3Error; a listing that cannot end goes to `onError` as a ListingFault, in key
 * order, and the others go on; per-object failures surface later, from `open()`.
 */
export async function* listS3Objects(opts: ListS3Options): AsyncGenerator<LogObject, void, undefined> {
  if (opts.bucket === '') throw new UsageError('bucket name is empty')
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY))
  const object: S3ObjectContext = { client: opts.client, bucket: opts.bucket }
  if (opts.requestPayer !== undefined) object.requestPayer = opts.requestPayer
  if (opts.resume !== undefined) object.resume = opts.resume
  if (opts.objectTimeoutMs !== undefined) object.objectTimeoutMs = opts.objectTimeoutMs
  if (opts.retryBudget !== undefined) object.retryBudget = opts.retryBudget
  const ctx: Ctx = {
    opts,
    maxPages: opts.maxListPages ?? LIST_DEFAULTS.maxListPages,
    maxKeys: opts.maxListKeys ?? LIST_DEFAULTS.maxListKeys,
    filter: makeFilter(opts),
    limit: pLimit(concurrency),
    object,
    lookahead: concurrency,
  }
  const start = startPoint(opts.prefix ?? '')
  let pages: AsyncIterable<Listed>
  if (start.mode === 'search') pages = search(ctx, start.prefix)
  else if (start.mode === 'plain') pages = flatPages(ctx, start.prefix, 'plain')
  else if (nodeAllowed(start.node, ctx.filter)) pages = walk(ctx, [start.node])
  else return
  for await (const page of pages) {
    if (!(page instanceof ListingFault)) yield* page
    else if (opts.onError !== undefined) opts.onError(page)
    else throw page
  }
}
