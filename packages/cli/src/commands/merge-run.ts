import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Finding, ShardManifest, ShardResult } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError } from '../fail.js'
import { FindingsWriter } from '../output/findings-writer.js'
import { OutputTarget } from '../output/output-target.js'
import { summaryText } from '../output/summary-text.js'
import { nonEmpty, singleValued } from '../option-checks.js'
import type { MergeArgs } from './merge-command.js'
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

export async function runMerge(args: MergeArgs): Promise<number> {
  const a = args as unknown as Record<string, unknown>
  singleValued(a, ['plan', 'format', 'out', 'summary-json', 'fail-on'])
  nonEmpty(a, ['dirs', 'plan', 'out', 'summary-json'])
  const { mergeShards, parsePlan, SEVERITIES } = await import('@trailscan/engine')
  let merged
  try {
    const plan = parsePlan(readText(args.plan, 'the plan'), args.plan)
    merged = mergeShards(plan, args.dirs.flatMap(readShards))
  } catch (e) {
    if (e instanceof CliExit) throw e
    throw new CliExit(EXIT.usage, describeError(e))
  }
  const summaryOut = args['summary-json'] ? OutputTarget.file(args['summary-json'], '--summary-json') : undefined
  const output = args.out && args.out !== '-' ? OutputTarget.file(args.out, '--out') : OutputTarget.stdout()
  const writer = new FindingsWriter(args.format, output)
  for (const f of merged.findings) writer.finding(f)
  await writer.close(merged.alarms, merged.remediations)
  process.stderr.write(summaryText(merged.summary, undefined))
  if (summaryOut) {
    summaryOut.write(`${JSON.stringify(merged.summary, null, 2)}\n`)
    summaryOut.close()
  }
  const failed = output.failureMessage() ?? summaryOut?.failureMessage('the summary')
  if (failed) {
    process.stderr.write(`trailscan: ${failed}\n`)
    return EXIT.writeFailed
  }
  const failOn = args['fail-on'] ? SEVERITIES.indexOf(args['fail-on'] as (typeof SEVERITIES)[number]) : -1
  const worst = Math.max(-1, ...merged.findings.map((f) => SEVERITIES.indexOf(f.severity)))
  if (merged.summary.errors.length > 0) return EXIT.readErrors
  return failOn >= 0 && worst >= failOn ? EXIT.findings : EXIT.ok
}
