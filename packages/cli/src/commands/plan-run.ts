import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { LogObject, PlanState } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { createLogger, type CliLogger } from '../logger.js'
import { ACCOUNT_ID, eachMatches, instantOption, nonEmpty, REGION, singleValued } from '../option-checks.js'
import { OutputTarget } from '../output/output-target.js'
import { s3Limits } from '../s3-limits.js'
import { openSources } from '../sources.js'
import { openStateStore } from '../state/open-state-store.js'
import { firstRunEnd, readSnapshot, StateSelection, usage } from '../state/state-selection.js'
import type { PlanArgs } from './plan-command.js'

const MAX_SHARDS = 10_000

/**
 * `trailscan plan`: the listing a scan would make, once, split into shards. A listing that met errors writes no
 * plan: a plan silently missing a prefix would make every shard, and the merge, look complete.
 */
export async function runPlan(args: PlanArgs): Promise<number> {
  const a = args as unknown as Record<string, unknown>
  singleValued(a, ['shards', 'out', 'start', 'end', 'log-level', 'state', 'lookback'])
  nonEmpty(a, ['paths', 'out', 'state'])
  eachMatches(a, 'account', ACCOUNT_ID, 'a 12-digit account id')
  eachMatches(a, 'region', REGION, 'an AWS region name (e.g. eu-west-1)')
  if (!/^\d+$/.test(args.shards) || Number(args.shards) < 1 || Number(args.shards) > MAX_SHARDS)
    throw new CliExit(EXIT.usage, `--shards must be a whole number from 1 to ${MAX_SHARDS}, not ${JSON.stringify(args.shards)}`)
  if (args.paths.includes('-')) throw new CliExit(EXIT.usage, 'a plan cannot hold stdin (-): name files, directories or s3:// prefixes')
  const start = instantOption(args.start, '--start')
  const end = instantOption(args.end, '--end')
  if (start && end && start >= end) throw new CliExit(EXIT.usage, '--start must be before --end')
  if (args.lookback !== undefined && args.state === undefined) throw new CliExit(EXIT.usage, '--lookback needs --state')
  const log = createLogger(args['log-level'])
  // A scheduler's run gets a fresh folder (cronjob.yaml: /data/runs/<run>/plan.json): make it.
  if (args.out !== '-') mkdirSync(dirname(resolve(args.out)), { recursive: true })
  const out = args.out === '-' ? OutputTarget.stdout() : OutputTarget.file(args.out, '--out')
  const engine = await import('@trailscan/engine')
  const listedAt = new Date()
  const fromState = args.state !== undefined ? await stateSelection(engine, args, log, start, end) : undefined
  const sources = await openSources({ ...args, progress: false }, log, fromState?.selection.window ?? { start, end }, s3Limits(args))
  const objects: LogObject[] = []
  for await (const o of fromState ? fromState.selection.select(sources.objects) : sources.objects) objects.push(o)
  const summary = sources.listing.summary
  sources.listing.fillIn(summary)
  if (summary.errors.length > 0) {
    out.close()
    throw new CliExit(
      EXIT.readErrors,
      `the listing met ${summary.errors.length} error${summary.errors.length === 1 ? '' : 's'}: no plan written, since it would miss what could not be listed`,
      summary.errors.map((e) => `${e.object ?? ''}${e.object ? ': ' : ''}${e.message}`),
    )
  }
  // Under --state, as for `scan --state`: events from the first run's --start on; --end bounds its listing only.
  const since = fromState ? fromState.selection.since : start
  const until = fromState ? undefined : end
  const plan = engine.planShards(
    objects,
    Number(args.shards),
    {
      ...(since ? { start: since } : {}),
      ...(until ? { end: until } : {}),
      ...(args.account ? { accounts: args.account } : {}),
      ...(args.region ? { regions: args.region } : {}),
    },
    {
      listedAt,
      options: {
        paths: args.paths,
        ...(since ? { start: fromState ? since.toISOString() : args.start } : {}),
        ...(until ? { end: args.end } : {}),
        ...(args.account ? { account: args.account } : {}),
        ...(args.region ? { region: args.region } : {}),
      },
      listing: { skippedCount: summary.objects.skipped, skipped: summary.skipped },
      ...(fromState ? { state: fromState.planState } : {}),
    },
  )
  out.write(`${JSON.stringify(plan)}\n`)
  out.close()
  const failed = out.failureMessage('the plan')
  if (failed) throw new CliExit(EXIT.writeFailed, failed)
  const bytes = plan.shards.map((s) => s.bytes)
  const planned = plan.shards.reduce((n, s) => n + s.objects.length, 0)
  process.stderr.write(
    `Plan ${plan.planId}: ${planned} objects (${bytes.reduce((x, y) => x + y, 0)} bytes) in ${plan.shards.length} shards of ${Math.min(...bytes)} to ${Math.max(...bytes)} bytes` +
      `${
        Object.keys(plan.excluded).length > 0
          ? `; left out: ${Object.entries(plan.excluded)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')}`
          : ''
      }\n`,
  )
  if (fromState)
    process.stderr.write(
      `state     ${fromState.selection.countsText()} in ${fromState.planState.location} (version ${fromState.planState.version ?? 'none: first run'})\n`,
    )
  return EXIT.ok
}

/**
 * `plan --state`: the state read (no lease: nothing is written), and the selection a `scan --state` would make
 * now. The plan records the state's version: shards refuse a state that moved since, and merge commits only over it.
 */
async function stateSelection(
  engine: typeof import('@trailscan/engine'),
  args: PlanArgs,
  log: CliLogger,
  start: Date | undefined,
  end: Date | undefined,
): Promise<{ selection: StateSelection; planState: PlanState }> {
  const lookbackDays = usage(() => engine.parseLookback(args.lookback ?? '2d'))
  const store = await openStateStore(args.state!, args, log)
  const snapshot = await readSnapshot(engine, store, args.paths, start)
  const { state, version } = snapshot
  const selection = new StateSelection(engine, state, log, firstRunEnd(log, snapshot, start, end))
  return {
    selection,
    planState: { location: store.location, version, sources: state.sources, since: state.since, lookbackDays },
  }
}
