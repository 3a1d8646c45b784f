import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Finding, MergedRun, Severity, ShardManifest, ShardPlan, ShardResult } from '@trailscan/engine'
import { deliveryFailed, finishDelivery, openDelivery, planDestinations } from '../delivery.js'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError } from '../fail.js'
import { createLogger, type CliLogger } from '../logger.js'
import { FindingOutputs } from '../output/finding-outputs.js'
import { outputSpecs } from '../output/output-specs.js'
import { OutputTarget } from '../output/output-target.js'
import { summaryText } from '../output/summary-text.js'
import { httpUrl, nonEmpty, singleValued } from '../option-checks.js'
import { openStateStore } from '../state/open-state-store.js'
import { checkStateOptions, heldLinesOf, type StateRun } from '../state/state-options.js'
import type { MergeArgs } from './merge-command.js'
import type { ScanArgs } from './scan-command.js'
import { MANIFEST_NAME, shardFiles } from './shard-run.js'

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new CliExit(EXIT.usage, `cannot read ${what} ${path}: ${(e as Error).message}`)
  }
}

/** The shards whose outputs a directory holds: one manifest each, written last, when the shard finished. */
function readShards(dir: string): ShardResult[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    throw new CliExit(EXIT.usage, `cannot read the shard directory ${dir}: ${(e as Error).message}`)
  }
  const manifests = names.filter((n) => MANIFEST_NAME.test(n)).sort()
  if (manifests.length === 0)
    throw new CliExit(
      EXIT.usage,
      `${dir}: no finished shard (no shard-N.json): the shards writing there never finished, or this is not an --out-dir`,
    )
  return manifests.map((name) => readShard(dir, Number(MANIFEST_NAME.exec(name)![1])))
}

function readShard(dir: string, index: number): ShardResult {
  const files = shardFiles(index)
  const manifestPath = join(dir, files.manifest)
  let manifest: ShardManifest
  try {
    manifest = JSON.parse(readText(manifestPath, 'the shard manifest')) as ShardManifest
  } catch (e) {
    throw new CliExit(EXIT.usage, `${manifestPath}: damaged shard manifest (${(e as Error).message})`)
  }
  if (
    manifest?.kind !== 'trailscan-shard' ||
    manifest.version !== 1 ||
    !Number.isInteger(manifest.shard) ||
    typeof manifest.planId !== 'string'
  )
    throw new CliExit(EXIT.usage, `${manifestPath}: not a trailscan shard manifest this version reads`)
  if (manifest.shard !== index) throw new CliExit(EXIT.usage, `${manifestPath}: names shard ${manifest.shard}, not ${index}`)
  const findings: Finding[] = []
  const path = join(dir, files.findings)
  readText(path, 'the shard findings')
    .split('\n')
    .forEach((line, i) => {
      if (line === '') return
      let v: { kind?: unknown }
      try {
        v = JSON.parse(line) as { kind?: unknown }
      } catch (e) {
        throw new CliExit(EXIT.usage, `${path}, line ${i + 1}: not JSON (${(e as Error).message})`)
      }
      // Alarm periods are replayed over every shard's findings, not added up.
      if (v.kind === 'finding') findings.push(v as Finding)
    })
  return { where: manifestPath, manifest, findings }
}

export async function runMerge(args: MergeArgs, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const a = args as unknown as Record<string, unknown>
  singleValued(a, [
    'plan',
    'format',
    'out',
    'summary-json',
    'fail-on',
    'state',
    'append',
    'profile',
    's3-region',
    'endpoint-url',
    'log-level',
  ])
  nonEmpty(a, ['dirs', 'plan', 'out', 'output', 'summary-json', 'state'])
  httpUrl(a, 'endpoint-url')
  // The scan's own checks of --append and of the outputs, and of --to with its --to-min-severity.
  const scanLike = { ...args, paths: [], lookback: undefined } as unknown as ScanArgs
  checkStateOptions(scanLike)
  const specs = outputSpecs(args)
  const destinations = planDestinations(argv, args)
  const engine = await import('@trailscan/engine')
  let plan: ShardPlan
  let merged: MergedRun
  try {
    plan = engine.parsePlan(readText(args.plan, 'the plan'), args.plan)
    // Refused here, before any lease is taken or output opened: a partial merge changes nothing.
    merged = engine.mergeShards(plan, args.dirs.flatMap(readShards))
  } catch (e) {
    if (e instanceof CliExit) throw e
    throw new CliExit(EXIT.usage, describeError(e))
  }
  const log = createLogger(args['log-level'])
  const stop = new AbortController()
  const delivery = await openDelivery(destinations, scanLike, log, stop.signal)
  const stateRun = await openPlanState(plan, args, log)
  const pending = delivery ? await stateRun?.undelivered() : undefined
  const summaryOut = args['summary-json'] ? OutputTarget.file(args['summary-json'], '--summary-json') : undefined
  const writer = await FindingOutputs.open(specs, {
    append: args.append,
    durable: !!stateRun,
    held: stateRun ? stateRun.held : heldLinesOf(scanLike),
  })
  const summary = merged.summary
  if (stateRun) {
    // What a shard could not read (changed since the plan, gone, cut short) stays unprocessed: the next plan has it.
    for (const e of summary.errors) stateRun.error({ code: e.code, ...(e.object !== undefined ? { location: { object: e.object } } : {}) })
    stateRun.planned(engine.plannedRefs(plan))
    // The merged carry already holds the state's (every shard started from it) and what this cycle added.
    Object.assign(stateRun.carry, merged.carry)
  }
  for (const f of merged.findings) {
    // Shards dropped the ids the state had seen; a merge checks again against the state it commits to.
    if (stateRun?.seenIds.has(f.id)) continue
    writer.finding(f)
    delivery?.offer(f)
    stateRun?.finding(f)
  }
  await writer.close(merged.alarms, merged.remediations)
  const delivered = delivery ? await finishDelivery(delivery, log, pending) : undefined
  if (delivered) summary.delivery = delivered.summary
  // Only now are the outputs on disk (fsync'd) and delivered: the state may say so.
  await stateRun?.commit(summary, writer.ok, delivered?.outbox)
  const writeFailures = writer.failureMessages()
  for (const message of writeFailures) summary.errors.push({ code: 'TRAILSCAN_OUTPUT_WRITE', message })
  process.stderr.write(summaryText(summary, undefined))
  if (stateRun) process.stderr.write(stateRun.summaryLine())
  if (summaryOut) {
    summaryOut.write(`${JSON.stringify(summary, null, 2)}\n`)
    summaryOut.close()
  }
  const summaryFailed = summaryOut?.failureMessage('the summary')
  if (summaryFailed) process.stderr.write(`trailscan: ${summaryFailed}\n`)
  if (writeFailures.length > 0 || summaryFailed) return EXIT.writeFailed
  if (deliveryFailed(delivered)) return EXIT.deliveryFailed
  const failOn = args['fail-on'] ? engine.SEVERITIES.indexOf(args['fail-on'] as Severity) : -1
  const worst = Math.max(-1, ...merged.findings.map((f) => engine.SEVERITIES.indexOf(f.severity)))
  if (summary.errors.length > 0) return EXIT.readErrors
  return failOn >= 0 && worst >= failOn ? EXIT.findings : EXIT.ok
}

/**
 * A plan made with --state: its lease taken and the state read, as `scan --state` does (StateRun), and refused
 * (exit 2, the lease given up, nothing written) unless it is still at the version the plan selected from.
 */
async function openPlanState(plan: ShardPlan, args: MergeArgs, log: CliLogger): Promise<StateRun | undefined> {
  const ps = plan.state
  if (ps === undefined) {
    if (args.state !== undefined)
      throw new CliExit(EXIT.usage, `--state ${args.state}: the plan ${args.plan} was made without --state (make it with plan --state)`)
    return undefined
  }
  if (args.state !== undefined) {
    const named = (await openStateStore(args.state, args)).location
    if (named !== ps.location)
      throw new CliExit(EXIT.usage, `--state ${named} is not the state the plan ${args.plan} was made from, ${ps.location}`)
  }
  const { StateRun } = await import('../state/state-run.js')
  const run = await StateRun.open(
    { ...args, paths: ps.sources, state: ps.location, lookback: `${ps.lookbackDays}d` } as unknown as ScanArgs,
    log,
    ps.since === null ? undefined : new Date(ps.since),
    undefined,
    new Date(plan.listedAt),
  )
  if (run.version !== ps.version) {
    await run.abandon()
    throw new CliExit(
      EXIT.usage,
      `state ${ps.location} moved since the plan ${args.plan} was made: the plan read version ${ps.version ?? 'none (no state yet)'}, the state is now at ${run.version ?? 'none (reset)'}; nothing was written or committed: make the plan again and run its shards`,
    )
  }
  return run
}
