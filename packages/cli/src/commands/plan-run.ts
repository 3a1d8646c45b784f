import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { LogObject } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { createLogger } from '../logger.js'
import { ACCOUNT_ID, eachMatches, instantOption, nonEmpty, REGION, singleValued } from '../option-checks.js'
import { OutputTarget } from '../output/output-target.js'
import { s3Limits } from '../s3-limits.js'
import { openSources } from '../sources.js'
import type { PlanArgs } from './plan-command.js'

const MAX_SHARDS = 10_000

/**
 * `trailscan plan`: the listing a scan would make, once, split into shards. A listing that met errors writes no
 * plan: a plan silently missing a prefix would make every shard, and the merge, look complete.
 */
export async function runPlan(args: PlanArgs): Promise<number> {
  const a = args as unknown as Record<string, unknown>
  singleValued(a, ['shards', 'out', 'start', 'end', 'log-level'])
  nonEmpty(a, ['paths', 'out'])
  eachMatches(a, 'account', ACCOUNT_ID, 'a 12-digit account id')
  eachMatches(a, 'region', REGION, 'an AWS region name (e.g. eu-west-1)')
  if (!/^\d+$/.test(args.shards) || Number(args.shards) < 1 || Number(args.shards) > MAX_SHARDS)
    throw new CliExit(EXIT.usage, `--shards must be a whole number from 1 to ${MAX_SHARDS}, not ${JSON.stringify(args.shards)}`)
  if (args.paths.includes('-')) throw new CliExit(EXIT.usage, 'a plan cannot hold stdin (-): name files, directories or s3:// prefixes')
  const start = instantOption(args.start, '--start')
  const end = instantOption(args.end, '--end')
  if (start && end && start >= end) throw new CliExit(EXIT.usage, '--start must be before --end')
  const log = createLogger(args['log-level'])
  // A scheduler's run gets a fresh folder (cronjob.yaml: /data/runs/<run>/plan.json): make it.
  if (args.out !== '-') mkdirSync(dirname(resolve(args.out)), { recursive: true })
  const out = args.out === '-' ? OutputTarget.stdout() : OutputTarget.file(args.out, '--out')
  const { planShards } = await import('@trailscan/engine')
  const listedAt = new Date()
  const sources = await openSources({ ...args, progress: false }, log, { start, end }, s3Limits(args))
  const objects: LogObject[] = []
  for await (const o of sources.objects) objects.push(o)
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
  const plan = planShards(
    objects,
    Number(args.shards),
    {
      ...(start ? { start } : {}),
      ...(end ? { end } : {}),
      ...(args.account ? { accounts: args.account } : {}),
      ...(args.region ? { regions: args.region } : {}),
    },
    {
      listedAt,
      options: {
        paths: args.paths,
        ...(args.start ? { start: args.start } : {}),
        ...(args.end ? { end: args.end } : {}),
        ...(args.account ? { account: args.account } : {}),
        ...(args.region ? { region: args.region } : {}),
      },
      listing: { skippedCount: summary.objects.skipped, skipped: summary.skipped },
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
  return EXIT.ok
}
