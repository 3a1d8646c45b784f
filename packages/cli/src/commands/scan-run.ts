import { writeSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import type { AccountContext, Finding, RuleDiagnostic, ScanSummary, Severity, SkipReason, Suppressor } from '@trailscan/engine'
import { scan, SEVERITIES, SKIP_WARNS, TrailscanError } from '@trailscan/engine/local-scan'
import { EXIT } from '../exit-codes.js'
import { CliExit, describeError } from '../fail.js'
import { compiledRulesOrExit, formatDiagnostic } from '../load-rules.js'
import { deliveryFailed, finishDelivery, openDelivery, planDestinations } from '../delivery.js'
import { createLogger, type CliLogger } from '../logger.js'
import { FindingOutputs } from '../output/finding-outputs.js'
import { outputSpecs } from '../output/output-specs.js'
import { OutputTarget } from '../output/output-target.js'
import { skippedWhy, summaryText } from '../output/summary-text.js'
import { ACCOUNT_ID, eachMatches, httpUrl, instantOption, integerInRange, nonEmpty, REGION, singleValued } from '../option-checks.js'
import { s3Limits } from '../s3-limits.js'
import { openSources } from '../sources.js'
import { onStopSignals, signalExitCode, type StopSignal } from '../stop-signals.js'
import { checkStateOptions, heldLinesOf, type StateRun } from '../state/state-options.js'
import type { ScanArgs } from './scan-command.js'

/**
 * A scan allocates a few hundred MB/s of short-lived text. V8's default heap growth lets that garbage reach
 * ~200 MB above a ~40 MB live set before a full collection, which put a 10 GB scan at ~330 MB resident. Capping
 * the growth factor at 2 keeps it near 230 MB for a few per cent of throughput (benchmarks/README.md).
 */
function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=100')
}

// --context and --suppressions need the YAML parser and the full engine entry; a plain scan loads neither.
async function accountContext(path: string): Promise<Record<string, AccountContext>> {
  const { loadAccountContext } = await import('../account-context.js')
  return loadAccountContext(path)
}

async function suppressorFor(path: string): Promise<Suppressor> {
  const { loadSuppressions } = await import('../suppressions.js')
  const { Suppressor } = await import('@trailscan/engine')
  return new Suppressor(await loadSuppressions(path))
}

/** One warning for files skipped for reasons that can hide logs by accident; each one is in the summary. */
function warnSkipped(s: ScanSummary, log: CliLogger): void {
  const counts = Object.entries(s.skipped.byReason).filter(([r]) => SKIP_WARNS.has(r as SkipReason))
  const n = counts.reduce((sum, [, c]) => sum + c, 0)
  if (n === 0) return
  log.warn(
    { skipped: Object.fromEntries(counts) },
    `${n} file${n === 1 ? '' : 's'} skipped (${skippedWhy(counts)}): listed under "skipped" in the summary`,
  )
}

/**
 * A rule that was meant to run but does not (unsupported or not valid Sigma) is named, one line each; rules for
 * another logsource (a whole SigmaHQ checkout holds thousands) are only counted, in the summary.
 */
function warnSkippedRules(diagnostics: readonly RuleDiagnostic[], log: CliLogger): void {
  for (const d of diagnostics)
    if (d.skipped === 'unsupported' || d.skipped === 'invalid')
      log.warn({ ruleId: d.ruleId, file: d.file, line: d.line, column: d.column }, formatDiagnostic(d))
}

/** The one line that says why a scan that read nothing exits 2. */
function nothingRead(s: ScanSummary): string {
  const o = s.objects
  const seen = [
    o.listed > 0 ? `${o.listed} listed` : 'nothing listed',
    o.skipped > 0 ? `${o.skipped} skipped (${skippedWhy(Object.entries(s.skipped.byReason))})` : '',
    o.digests > 0 ? `${o.digests} digest` : '',
    o.insights > 0 ? `${o.insights} insight` : '',
    o.pruned > 0 ? `${o.pruned} outside --start/--end/--account/--region` : '',
    s.errors.length > 0 ? `${s.errors.length} error${s.errors.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean)
  return `no CloudTrail log object was read (${seen.join(', ')}); check the paths, or pass --allow-empty if an empty scan is expected`
}

const SINGLE = [
  'format',
  'out',
  'summary-json',
  'log-level',
  'start',
  'end',
  'fail-on',
  'context',
  'suppressions',
  'show-suppressed',
  'alarms',
  'max-object-bytes',
  'concurrency',
  'workers',
  'profile',
  's3-region',
  'endpoint-url',
  'request-payer',
  'include-digest',
  'include-insight',
  'progress',
  'wildcard',
  'allow-empty',
  'plan',
  'shard',
  'out-dir',
  's3-idle-timeout',
  's3-object-timeout',
  's3-max-list-pages',
  's3-max-list-keys',
  's3-retry-budget',
  'state',
  'lookback',
  'append',
] as const

/** Every option value the scan would trip over later, refused before anything is read (exit 2). */
function checkOptions(args: ScanArgs): void {
  const a = args as unknown as Record<string, unknown>
  singleValued(a, SINGLE)
  nonEmpty(a, ['paths', 'rules', 'out', 'output', 'summary-json', 'context', 'suppressions', 'profile', 'state'])
  integerInRange(a, 'concurrency', 1, 1024)
  integerInRange(a, 'workers', 1, 1024)
  integerInRange(a, 'max-object-bytes', 1, Number.MAX_SAFE_INTEGER)
  eachMatches(a, 'account', ACCOUNT_ID, 'a 12-digit account id')
  eachMatches(a, 'region', REGION, 'an AWS region name (e.g. eu-west-1)')
  eachMatches(a, 's3-region', REGION, 'an AWS region name (e.g. eu-west-1)')
  httpUrl(a, 'endpoint-url')
  checkStateOptions(args)
}

/** Stderr may be gone too (a closed terminal): the exit code still tells. */
function toStderr(text: string): void {
  try {
    writeSync(2, text)
  } catch {
    // Nowhere left to say it.
  }
}

export async function runScan(given: ScanArgs, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const shard = given.plan !== undefined ? await (await import('./shard-run.js')).shardRun(given) : undefined
  const args = shard?.args ?? given
  checkOptions(args)
  if (!shard && args.paths.length === 0)
    throw new CliExit(EXIT.usage, 'name what to scan: files, directories, s3://bucket/prefix, - (stdin), or --plan FILE')
  const destinations = planDestinations(argv, args)
  const specs = outputSpecs(args)
  const log = createLogger(args['log-level'])
  const start = instantOption(args.start, '--start')
  const end = instantOption(args.end, '--end')
  if (start && end && start >= end) throw new CliExit(EXIT.usage, '--start must be before --end')
  const limits = s3Limits(args)
  const { rules, diagnostics } = await compiledRulesOrExit(args.rules, { wildcard: args.wildcard })
  log.debug({ rules: rules.length }, 'rules compiled')
  warnSkippedRules(diagnostics, log)
  const context = args.context ? await accountContext(args.context) : undefined
  const suppressor = args.suppressions ? await suppressorFor(args.suppressions) : undefined
  for (const { index, suppression } of suppressor?.expired ?? [])
    log.warn(
      { entry: index + 1, reason: suppression.reason, expires: suppression.expires },
      `suppression ${index + 1} expired on ${suppression.expires} and no longer applies`,
    )
  // A signal, a failed write or a reader gone: stop taking objects, finish with whole lines and a summary.
  const stop = new AbortController()
  // A bad --to value is a usage error before anything is read (or leased); findings are sent after the scan.
  const delivery = await openDelivery(destinations, args, log, stop.signal)
  // The lease first: a run that loses it changes nothing, not even its outputs.
  const stateRun: StateRun | undefined = args.state
    ? await (await import('../state/state-run.js')).StateRun.open(args, log, start, end)
    : undefined
  const pending = delivery ? await stateRun?.undelivered() : undefined
  // Every output is opened before the scan: a path that cannot be written is a usage error, not a lost scan.
  const summaryOut = args['summary-json'] ? OutputTarget.file(args['summary-json'], '--summary-json') : undefined
  const held = stateRun ? stateRun.held : heldLinesOf(args)
  const writer = await FindingOutputs.open(specs, { append: args.append, durable: !!stateRun, held })
  // Only now: loading a thousand YAML rule files is a burst of allocation the cap would turn into extra collections.
  boundHeapGrowth()
  const sources = shard ? await shard.openSources(log, limits) : await openSources(args, log, stateRun?.window ?? { start, end }, limits)
  const failOn = args['fail-on'] ? SEVERITIES.indexOf(args['fail-on'] as Severity) : -1
  let worst = -1

  let stoppedBy: string | undefined
  let signal: StopSignal | undefined
  writer.onStop = (why) => {
    stoppedBy ??= why
    stop.abort()
  }
  const removeSignals = onStopSignals((sig) => {
    signal = sig
    stoppedBy ??= sig
    stop.abort()
  })

  let summary: ScanSummary
  try {
    summary = await scan({
      objects: stateRun ? stateRun.select(sources.objects) : sources.objects,
      listing: sources.listing,
      ...(stateRun ? { seenIds: stateRun.seenIds, carry: stateRun.carry } : {}),
      ...(sources.retries ? { retries: sources.retries } : {}),
      rules,
      ruleDiagnostics: diagnostics,
      signal: stop.signal,
      ...(shard ? { carry: shard.carry } : {}),
      ...(shard?.seenIds ? { seenIds: shard.seenIds } : {}),
      ...((stateRun ? stateRun.since : start) ? { start: (stateRun ? stateRun.since : start)! } : {}),
      // Under --state, --end bounds the first run's listing only (StateRun.window): objects are read whole.
      ...(end && !stateRun ? { end } : {}),
      ...(args.account ? { accounts: args.account } : {}),
      ...(args.region ? { regions: args.region } : {}),
      ...(args['max-object-bytes'] ? { maxObjectBytes: args['max-object-bytes'] } : {}),
      ...(context ? { context } : {}),
      ...(suppressor ? { suppressor } : {}),
      onSuppressed: (f, mark) => {
        if (args['show-suppressed']) writer.finding({ ...f, suppressed: { reason: mark.reason, expires: mark.expires } })
      },
      concurrency: args.concurrency ?? sources.defaultConcurrency,
      workers: args.workers ?? availableParallelism(),
      alarms: args.alarms,
      logger: log,
      onFinding: (f: Finding) => {
        worst = Math.max(worst, SEVERITIES.indexOf(f.severity))
        writer.finding(f)
        delivery?.offer(f)
        stateRun?.finding(f)
        sources.progress?.finding()
      },
      onError: (e) => {
        stateRun?.error(e)
        log.error({ code: e.code, ...e.location }, describeError(e))
      },
      onObject: (o) => {
        stateRun?.objectEmitted(o.uri)
        writer.objectDone()
        sources.progress?.objectDone(o)
      },
    })
  } catch (e) {
    removeSignals()
    sources.progress?.stop()
    await writer.close([])
    await stateRun?.abandon()
    // Bad credentials, a missing bucket, a listing that cannot go on: stop at once and say why.
    if (e instanceof TrailscanError) throw new CliExit(EXIT.usage, describeError(e))
    throw e
  }
  sources.progress?.stop()
  await writer.close(summary.alarms, summary.remediations)
  // Delivery is part of the commit: the state keeps what the destinations did not acknowledge, and the
  // outbox it held is sent first.
  const delivered = delivery ? await finishDelivery(delivery, log, pending) : undefined
  if (delivered) summary.delivery = delivered.summary
  // Only now are the findings on disk (closed, fsync'd with --state): the state may say they were written.
  await stateRun?.commit(summary, writer.ok, delivered?.outbox)
  warnSkipped(summary, log)
  const writeFailures = writer.failureMessages()
  for (const message of writeFailures) summary.errors.push({ code: 'TRAILSCAN_OUTPUT_WRITE', message })
  const writeFailure = writeFailures.length > 0
  toStderr(summaryText(summary, stoppedBy))
  if (stateRun) toStderr(stateRun.summaryLine())
  if (summaryOut) {
    summaryOut.write(`${JSON.stringify(summary, null, 2)}\n`)
    summaryOut.close()
    const failed = summaryOut.failureMessage('the summary')
    if (failed) toStderr(`trailscan: ${failed}\n`)
  }
  if (shard && !writeFailure && !summaryOut?.failure) shard.finish(summary)
  removeSignals()
  // A job pointed at the wrong path or prefix must not look like a quiet night.
  const nothing = !signal && !writeFailure && summary.objects.read === 0 && !args['allow-empty'] && !stateRun?.sawTracked
  if (nothing) throw new CliExit(EXIT.usage, nothingRead(summary))
  const code = signal
    ? signalExitCode(signal)
    : writeFailure || summaryOut?.failure
      ? EXIT.writeFailed
      : deliveryFailed(delivered)
        ? EXIT.deliveryFailed
        : summary.errors.length > 0
          ? EXIT.readErrors
          : failOn >= 0 && worst >= failOn
            ? EXIT.findings
            : EXIT.ok
  // Objects still being read when the scan stopped would hold the process open: their results are not wanted.
  if (summary.interrupted) process.exit(code)
  return code
}
