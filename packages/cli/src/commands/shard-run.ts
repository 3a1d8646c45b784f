import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { EmitCarry, ScanSummary, ShardManifest, ShardPlan } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError } from '../fail.js'
import type { CliLogger } from '../logger.js'
import type { S3Limits } from '../s3-limits.js'
import { quietSdkNodeNotice } from '../aws-sdk-notice.js'
import { s3ClientFor, type OpenedSources } from '../sources.js'
import { openStateStore } from '../state/open-state-store.js'
import { parseCarry } from '../state/state-run.js'
import { readSnapshot } from '../state/state-selection.js'
import type { ScanArgs } from './scan-command.js'

/**
 * The files a shard scan leaves in --out-dir, which `trailscan merge` reads. Named by shard index, so every
 * shard of a run can share one directory (a volume the scheduler mounts everywhere), with no per-shard path
 * to build: AWS Batch does not expand variables in a command.
 */
export function shardFiles(index: number): { findings: string; summary: string; manifest: string } {
  const base = `shard-${index}`
  return { findings: `${base}.findings.jsonl`, summary: `${base}.summary.json`, manifest: `${base}.json` }
}

export const MANIFEST_NAME = /^shard-(\d+)\.json$/

/** Kubernetes Indexed Jobs and AWS Batch array jobs tell each pod or container its index in these. */
export const SHARD_INDEX_ENV = ['JOB_COMPLETION_INDEX', 'AWS_BATCH_JOB_ARRAY_INDEX'] as const

/** What the plan fixed when it listed: a shard taking them again could scan something else than the plan covers. */
const FIXED_BY_PLAN = [
  'start',
  'end',
  'account',
  'region',
  'include-digest',
  'include-insight',
  'out',
  'output',
  'summary-json',
  'lookback',
] as const

export interface ShardRun {
  /** The scan's arguments with the plan's window, accounts and regions, and outputs in --out-dir. */
  args: ScanArgs
  openSources(log: CliLogger, limits: S3Limits): Promise<OpenedSources>
  /** What the shard's alarms and exposure tracking see, for merge to join (scan() fills it in): from the plan's state's carry. */
  carry: EmitCarry
  /** With a plan made from a state: the finding ids earlier runs emitted, which this shard does not write again. */
  seenIds?: Set<string>
  /** Written last, once the findings and summary are on disk: its presence says the shard's outputs are whole. */
  finish(summary: ScanSummary): void
}

function shardIndex(args: ScanArgs, shards: number): { index: number; from: string } {
  const given: [string, string | undefined][] = [
    ['--shard', args.shard],
    ...SHARD_INDEX_ENV.map((n): [string, string | undefined] => [n, process.env[n]]),
  ]
  const found = given.find(([, v]) => v !== undefined && v !== '')
  if (!found)
    throw new CliExit(EXIT.usage, `--plan needs the shard to scan: --shard I, or ${SHARD_INDEX_ENV.join(' or ')} in the environment`)
  const [from, v] = found
  if (!/^\d+$/.test(v!) || Number(v) >= shards)
    throw new CliExit(EXIT.usage, `${from} is ${JSON.stringify(v)}: the plan has shards 0 to ${shards - 1}`)
  return { index: Number(v), from }
}

function readPlan(path: string, parsePlan: (text: string, where: string) => ShardPlan): ShardPlan {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new CliExit(EXIT.usage, `cannot read the plan ${path}: ${(e as Error).message}`)
  }
  try {
    return parsePlan(text, path)
  } catch (e) {
    throw new CliExit(EXIT.usage, describeError(e))
  }
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 ? v : undefined
}

/** `scan --plan FILE --shard I --out-dir DIR`: one shard of a plan, its outputs where `merge` finds them. */
export async function shardRun(given: ScanArgs): Promise<ShardRun> {
  const engine = await import('@trailscan/engine')
  if (given.paths.length > 0) throw new CliExit(EXIT.usage, '--plan takes its objects from the plan: give no paths')
  const a = given as unknown as Record<string, unknown>
  for (const name of FIXED_BY_PLAN)
    if (a[name] !== undefined && a[name] !== false)
      throw new CliExit(EXIT.usage, `--${name} cannot be given with --plan: the plan fixed what is scanned, and --out-dir where it goes`)
  if (given.append)
    throw new CliExit(EXIT.usage, '--append cannot be given with --plan: a shard writes its outputs to --out-dir for merge, which appends')
  if ((given.format ?? 'jsonl') !== 'jsonl')
    throw new CliExit(EXIT.usage, '--plan writes JSON Lines for `trailscan merge`; give --format to merge instead')
  const outDir = given['out-dir']
  if (outDir === undefined || outDir.trim() === '')
    throw new CliExit(EXIT.usage, '--plan needs --out-dir DIR: where this shard leaves its outputs for merge')
  const plan = readPlan(given.plan!, engine.parsePlan)
  const { index } = shardIndex(given, plan.shards.length)
  // Checked before --out-dir is touched: a shard refused for a stale plan changes nothing there.
  const fromState = await readPlanState(engine, plan, given, given.plan!)
  const files = shardFiles(index)
  try {
    mkdirSync(outDir, { recursive: true })
    // A shard run again must not leave the old manifest claiming outputs it is about to replace.
    rmSync(join(outDir, files.manifest), { force: true })
  } catch (e) {
    throw new CliExit(EXIT.usage, `cannot use --out-dir ${outDir}: ${(e as Error).message}`)
  }
  const o = plan.options
  const start = typeof o.start === 'string' ? o.start : undefined
  const end = typeof o.end === 'string' ? o.end : undefined
  const account = strings(o.account)
  const region = strings(o.region)
  const { state: _state, ...rest } = given
  const args: ScanArgs = {
    // The shard only reads the state (its seen ids and carry, below); merge commits.
    ...rest,
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    out: join(outDir, files.findings),
    'summary-json': join(outDir, files.summary),
    // A plan may give a shard nothing (more shards than groups): an empty shard is a whole one.
    'allow-empty': given['allow-empty'] || plan.shards[index]!.objects.length === 0,
  }
  // Every shard starts from the same carry (the state's, or a new one): merge joins them by union (carry-merge.ts).
  const carry = fromState?.carry ?? engine.newEmitCarry()
  return {
    args,
    carry,
    ...(fromState ? { seenIds: fromState.seenIds } : {}),
    openSources: async (log, limits) => {
      const listing = new engine.ListingReport({ onError: (e) => log.error({ code: e.code, ...e.location }, describeError(e)) })
      const hasS3 = plan.shards[index]!.objects.some((p) => engine.isS3Uri(p.uri))
      if (hasS3) quietSdkNodeNotice(log)
      const retries = hasS3 ? new engine.RetryBudget(limits.retryBudget ?? engine.DEFAULT_RETRY_BUDGET) : undefined
      const client = hasS3 ? s3ClientFor(engine, args, limits, retries) : undefined
      const objects = engine.plannedObjects(plan, index, {
        ...(client
          ? {
              s3: {
                client,
                requestPayer: args['request-payer'],
                ...(retries ? { retryBudget: retries } : {}),
                ...(limits.objectTimeoutMs !== undefined ? { objectTimeoutMs: limits.objectTimeoutMs } : {}),
              },
            }
          : {}),
      })
      log.debug({ plan: plan.planId, shard: index, of: plan.shards.length, objects: objects.length }, 'scanning one shard of the plan')
      return {
        objects: (async function* () {
          yield* objects
        })(),
        defaultConcurrency: hasS3 ? 16 : 8,
        listing,
        ...(retries ? { retries } : {}),
      }
    },
    finish: (summary) => {
      const manifest: ShardManifest = {
        kind: 'trailscan-shard',
        version: 1,
        planId: plan.planId,
        shard: index,
        shards: plan.shards.length,
        complete: summary.interrupted !== true,
        carry,
        summary,
      }
      // On disk before the manifest says so: a machine lost after this point leaves whole outputs or none.
      for (const f of [files.findings, files.summary]) fsyncFile(join(outDir, f))
      const path = join(outDir, files.manifest)
      writeFileSync(`${path}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`)
      fsyncFile(`${path}.tmp`)
      renameSync(`${path}.tmp`, path)
      fsyncFile(outDir)
    },
  }
}

/**
 * A plan made with --state: the state read (no lease; a shard never writes it) at the version the plan selected
 * from, or refused (exit 2) when another run committed since, since the plan's objects and the state's seen ids
 * and carry no longer go together. A --state given here must name the plan's.
 */
async function readPlanState(
  engine: typeof import('@trailscan/engine'),
  plan: ShardPlan,
  given: ScanArgs,
  planPath: string,
): Promise<{ seenIds: Set<string>; carry: EmitCarry } | undefined> {
  const ps = plan.state
  if (ps === undefined) {
    if (given.state !== undefined)
      throw new CliExit(EXIT.usage, `--state ${given.state}: the plan ${planPath} was made without --state (make it with plan --state)`)
    return undefined
  }
  if (given.state !== undefined) {
    const named = (await openStateStore(given.state, given)).location
    if (named !== ps.location)
      throw new CliExit(EXIT.usage, `--state ${named} is not the state the plan ${planPath} was made from, ${ps.location}`)
  }
  const store = await openStateStore(ps.location, given)
  const { state, version } = await readSnapshot(engine, store, ps.sources, undefined)
  if (version !== ps.version)
    throw new CliExit(
      EXIT.usage,
      `state ${ps.location} moved since the plan ${planPath} was made: the plan read version ${ps.version ?? 'none (no state yet)'}, the state is now at ${version ?? 'none (reset)'}; make the plan again`,
    )
  return { seenIds: new engine.StateLedger(state).seenIds, carry: parseCarry(engine, state.carry, ps.location) }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
