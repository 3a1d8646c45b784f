import { createHash } from 'node:crypto'
import type { ScanSummary } from '../emit/summary.js'
import { UsageError } from '../errors.js'
import { DELIVERY_MARGIN_DAYS, keyFilter, keyRejection } from './key-filter.js'
import { changeToken, type LogObject } from './log-object.js'

/**
 * A scan split across machines: the listing is taken once, by one process, and every object is given to exactly
 * one shard. Each shard then reads only its own objects (source/planned-objects.ts), so nothing is listed twice,
 * read twice or missed between shards, and the plan is the record of what the run covered.
 */
export const PLAN_VERSION = 1

export interface PlannedObject {
  uri: string
  size: number
  /** S3's ETag, or for a local file its size and modification time: what says the object has not changed. */
  etag: string | null
  /** Position in the listing: merged outputs come back in the order a single scan writes them. */
  seq: number
  /** Found by a directory walk outside the key layout: judged by its first bytes, as the scan judges it. */
  byContent?: true
}

export interface PlannedShard {
  index: number
  bytes: number
  objects: PlannedObject[]
}

/**
 * A plan made from a scheduled scan's state (`plan --state`): its objects are those that state had not processed
 * when the plan listed. Shards read the state at `version` only, and merge commits to it only if it is still at
 * `version` (compare-and-swap): a run that committed in between makes the plan stale, never counted twice.
 */
export interface PlanState {
  /** The store's location as it names itself (a resolved directory, or `s3://bucket/prefix/`). */
  location: string
  /** The state document's version (S3 ETag, local content hash) the plan read; null: no state yet (first run). */
  version: string | null
  /** The sources the state tracks, resolved: what a first run's merge writes into a new state. */
  sources: string[]
  /** The state's first-run --start (ISO 8601), or null. */
  since: string | null
  /** `--lookback` in days: merge closes the days that ended more than this before `listedAt`. */
  lookbackDays: number
}

export interface ShardPlan {
  kind: 'trailscan-plan'
  version: typeof PLAN_VERSION
  /** Hash of the assignment (every object's uri, ETag and shard): what shard outputs are tied to. */
  planId: string
  listedAt: string
  /** The listing's options, which every shard scan must reuse (sources, window, accounts, regions …). */
  options: Record<string, unknown>
  /** Objects listed but left out of every shard, by why: digests, insights, keys outside the filters. */
  excluded: Record<string, number>
  /** Files the listing passed over (a directory walk's hidden files, FIFOs …), for the merged summary. */
  listing?: { skippedCount: number; skipped: ScanSummary['skipped'] }
  /** Present when the plan was made with --state: the state it selected from (covered by the planId). */
  state?: PlanState
  shards: PlannedShard[]
}

export interface PlanFilters {
  start?: Date
  end?: Date
  accounts?: readonly string[]
  regions?: readonly string[]
  /** The scan's margin between a key's delivery date and its event times (scan()'s deliveryMarginDays). */
  deliveryMarginDays?: number
}

/**
 * CloudTrail delivers per (account, region, day): the unit a shard takes whole when it can, so the objects of one
 * prefix are read by one machine. Keys outside the layout are grouped by their folder.
 */
function groupOf(o: LogObject): string {
  const k = o.key
  if (k.account !== undefined && k.region !== undefined && k.deliveryDate !== undefined)
    return `${k.prefix ?? ''}\u0000${k.org ?? ''}\u0000${k.account}\u0000${k.region}\u0000${k.deliveryDate}`
  const slash = o.uri.lastIndexOf('/')
  return `\u0001${slash < 0 ? '' : o.uri.slice(0, slash)}`
}

interface Piece {
  bytes: number
  objects: PlannedObject[]
}

/**
 * The objects a scan with these filters would read, packed into `shards` shards balanced by stored bytes.
 * Groups are split by key range only when one alone exceeds a shard's share (CloudTrail prefixes are very
 * uneven: one busy account-region-day can outweigh a hundred quiet ones). Packing is largest-first into the
 * lightest shard, every tie broken by key, so the same listing always gives the same plan.
 */
export function planShards(
  objects: Iterable<LogObject>,
  shards: number,
  filters: PlanFilters,
  meta: { listedAt: Date; options: Record<string, unknown>; listing?: ShardPlan['listing']; state?: PlanState },
): ShardPlan {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer, not ${shards}`)
  const keys = keyFilter({ ...filters, marginDays: filters.deliveryMarginDays ?? DELIVERY_MARGIN_DAYS })
  const excluded: Record<string, number> = {}
  const groups = new Map<string, PlannedObject[]>()
  const seen = new Set<string>()
  let seq = 0
  let total = 0
  for (const o of objects) {
    const why =
      o.key.kind === 'digest'
        ? 'digest'
        : o.key.kind === 'insight'
          ? 'insight'
          : seen.has(o.uri)
            ? 'listed twice'
            : keyRejection(o.key, keys)
    if (why !== undefined) {
      excluded[why] = (excluded[why] ?? 0) + 1
      continue
    }
    seen.add(o.uri)
    const g = groupOf(o)
    let list = groups.get(g)
    if (!list) groups.set(g, (list = []))
    const size = Number.isFinite(o.size) ? o.size : 0
    list.push({ uri: o.uri, size, etag: changeToken(o), seq: seq++, ...(o.byContent === true ? { byContent: true as const } : {}) })
    total += size
  }
  const share = Math.max(1, Math.ceil(total / shards))
  const pieces: Piece[] = []
  for (const g of [...groups.keys()].sort()) {
    const list = groups.get(g)!.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0))
    let piece: Piece = { bytes: 0, objects: [] }
    for (const p of list) {
      if (piece.objects.length > 0 && piece.bytes + p.size > share) {
        pieces.push(piece)
        piece = { bytes: 0, objects: [] }
      }
      piece.objects.push(p)
      piece.bytes += p.size
    }
    if (piece.objects.length > 0) pieces.push(piece)
  }
  pieces.sort((a, b) => b.bytes - a.bytes || (a.objects[0]!.uri < b.objects[0]!.uri ? -1 : 1))
  const out: PlannedShard[] = Array.from({ length: shards }, (_, index) => ({ index, bytes: 0, objects: [] }))
  for (const piece of pieces) {
    let lightest = out[0]!
    for (const s of out) if (s.bytes < lightest.bytes) lightest = s
    lightest.objects.push(...piece.objects)
    lightest.bytes += piece.bytes
  }
  for (const s of out) s.objects.sort((a, b) => a.seq - b.seq)
  return {
    kind: 'trailscan-plan',
    version: PLAN_VERSION,
    planId: planIdOf(out, meta.state && { listedAt: meta.listedAt.toISOString(), state: meta.state }),
    listedAt: meta.listedAt.toISOString(),
    options: meta.options,
    excluded,
    ...(meta.listing ? { listing: meta.listing } : {}),
    ...(meta.state ? { state: meta.state } : {}),
    shards: out,
  }
}

/** With a state, its version and the listing instant are hashed too: a shard or merge cannot pair the plan with another. */
function planIdOf(shards: readonly PlannedShard[], withState?: { listedAt: string; state: PlanState }): string {
  const h = createHash('sha256')
  if (withState) h.update(`state\u0000${JSON.stringify([withState.listedAt, withState.state])}\n`)
  for (const s of shards)
    for (const o of s.objects)
      h.update(`${s.index}\u0000${o.seq}\u0000${o.uri}\u0000${o.etag ?? ''}\u0000${o.byContent === true ? 1 : 0}\n`)
  return h.digest('hex').slice(0, 32)
}

/** A plan read back from its file: checked field by field, since a shard must never scan a half-written plan. */
export function parsePlan(text: string, where: string): ShardPlan {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (e) {
    throw new UsageError(`${where}: not a plan (not JSON: ${(e as Error).message})`)
  }
  const p = v as Partial<ShardPlan> | null
  if (p === null || typeof p !== 'object' || p.kind !== 'trailscan-plan')
    throw new UsageError(`${where}: not a trailscan plan (no "kind": "trailscan-plan")`)
  if (p.version !== PLAN_VERSION)
    throw new UsageError(
      `${where}: plan version ${JSON.stringify(p.version)} is not one this trailscan reads (it reads ${PLAN_VERSION}); make the plan again`,
    )
  if (typeof p.planId !== 'string' || typeof p.listedAt !== 'string' || !Array.isArray(p.shards) || p.shards.length === 0)
    throw new UsageError(`${where}: damaged plan (planId, listedAt or shards missing)`)
  p.shards.forEach((s, i) => {
    const ok =
      s !== null &&
      typeof s === 'object' &&
      s.index === i &&
      Array.isArray(s.objects) &&
      s.objects.every(
        (o) =>
          o !== null &&
          typeof o === 'object' &&
          typeof o.uri === 'string' &&
          typeof o.size === 'number' &&
          (o.etag === null || typeof o.etag === 'string') &&
          Number.isInteger(o.seq),
      )
    if (!ok) throw new UsageError(`${where}: damaged plan (shard ${i})`)
  })
  if (p.state !== undefined && !isPlanState(p.state)) throw new UsageError(`${where}: damaged plan (its "state")`)
  if (planIdOf(p.shards, p.state && { listedAt: p.listedAt, state: p.state }) !== p.planId)
    throw new UsageError(`${where}: damaged plan (its objects do not match its planId)`)
  return p as ShardPlan
}

function isPlanState(s: unknown): s is PlanState {
  if (s === null || typeof s !== 'object') return false
  const v = s as Record<string, unknown>
  return (
    typeof v.location === 'string' &&
    (v.version === null || typeof v.version === 'string') &&
    Array.isArray(v.sources) &&
    v.sources.every((x) => typeof x === 'string') &&
    (v.since === null || typeof v.since === 'string') &&
    Number.isSafeInteger(v.lookbackDays) &&
    (v.lookbackDays as number) >= 0
  )
}
