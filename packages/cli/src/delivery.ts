/**
 * `--to DESTINATION` (repeatable), each with an optional `--to-min-severity` right after it: checked before the
 * scan (exit 2), turned into the engine's delivery sinks, and run after the scan. yargs collects each option's
 * values on their own and forgets which `--to-min-severity` followed which `--to`, so the pairing is read from
 * the command line's order.
 */
import type { Delivery, DeliveryReport, Outbox, Severity } from '@trailscan/engine'
import type { ScanArgs } from './commands/scan-command.js'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'
import type { CliLogger } from './logger.js'

const SEVERITY_NAMES = ['info', 'low', 'medium', 'high', 'critical'] as const

export interface PlannedDestination {
  to: string
  minSeverity?: Severity
}

function values(v: unknown): string[] {
  return v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x))
}

/**
 * The `--to` values in command-line order, each with the `--to-min-severity` given after it and before the next
 * `--to`. `argv` is the command line after the program (hideBin); `args` is what yargs made of it, used to
 * check that every value was seen here too (a spelling this walk does not know would otherwise go unpaired).
 */
export function planDestinations(argv: readonly string[], args: Pick<ScanArgs, 'to' | 'to-min-severity'>): PlannedDestination[] {
  const plan: PlannedDestination[] = []
  const seen = { to: 0, min: 0 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') break
    const m = /^--(to|to-min-severity)(?:=(.*))?$/s.exec(a)
    if (!m) continue
    const value = m[2] ?? argv[++i]
    if (value === undefined || value.trim() === '') throw new CliExit(EXIT.usage, `--${m[1]} needs a value`)
    if (m[1] === 'to') {
      seen.to++
      plan.push({ to: value })
      continue
    }
    seen.min++
    const last = plan.at(-1)
    if (!last) throw new CliExit(EXIT.usage, `--to-min-severity ${value} comes before any --to: it applies to the --to just before it`)
    // The --to value is not echoed: a webhook's or Slack's URL holds its secret.
    if (last.minSeverity !== undefined)
      throw new CliExit(EXIT.usage, `--to-min-severity is given twice after the same --to (destination ${plan.length})`)
    if (!(SEVERITY_NAMES as readonly string[]).includes(value))
      throw new CliExit(EXIT.usage, `--to-min-severity ${JSON.stringify(value)} is not one of ${SEVERITY_NAMES.join(', ')}`)
    last.minSeverity = value as Severity
  }
  if (seen.to !== values(args.to).length || seen.min !== values(args['to-min-severity']).length)
    throw new CliExit(EXIT.usage, 'write each destination as --to VALUE (or --to=VALUE), each --to-min-severity right after its --to')
  return plan
}

/**
 * The sinks for the planned destinations, their values checked (exit 2 naming the bad one). Credentials come
 * from the SDK chain with --profile, as for S3; endpoints from the SDK's own settings (AWS_ENDPOINT_URL_SNS, …).
 */
export async function openDelivery(
  plan: PlannedDestination[],
  args: ScanArgs,
  log: CliLogger,
  signal: AbortSignal,
): Promise<Delivery | undefined> {
  if (plan.length === 0) return undefined
  const engine = await import('@trailscan/engine')
  const specs = plan.map((p) => {
    try {
      return engine.parseDestination(p.to)
    } catch (e) {
      throw new CliExit(EXIT.usage, `--to ${engine.displayDestination(p.to)}: ${(e as Error).message}`)
    }
  })
  const seen = new Set<string>()
  for (const p of plan) {
    if (seen.has(p.to)) throw new CliExit(EXIT.usage, `--to ${engine.displayDestination(p.to)} is given twice`)
    seen.add(p.to)
  }
  for (const spec of specs)
    if (engine.isCleartextRemote(spec))
      log.warn(
        { destination: engine.displayDestination(`${spec.kind}:${'url' in spec ? spec.url : ''}`) },
        'findings go to this destination unencrypted (http://)',
      )
  // The SDK's notice about future Node versions is a multi-line warning in the middle of the logs (see sources.ts).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const sinks = specs.map((spec, i) =>
    engine.createSink(spec, {
      aws: args.profile ? { profile: args.profile } : {},
      ...(plan[i]!.minSeverity ? { minSeverity: plan[i]!.minSeverity } : {}),
    }),
  )
  return new engine.Delivery(sinks, {
    signal,
    // Each finding a destination did not take, one line each: the summary lists the first ones by id.
    onFailure: (destination, f) =>
      log.error({ destination, findingId: f.findingId, ruleId: f.ruleId, code: f.code }, `not delivered: ${f.message}`),
  })
}

/** Runs the deliveries (`pending`: the state's outbox, sent first) and logs what the outbox keeps. */
export async function finishDelivery(delivery: Delivery, log: CliLogger, pending?: Outbox): Promise<DeliveryReport> {
  const report = await delivery.finish(pending)
  for (const w of report.summary.waiting)
    log.warn(
      { destination: w.destination, findings: w.findings },
      `${w.findings} undelivered findings wait for ${w.destination}, which this run does not send to`,
    )
  return report
}

/** Findings not acknowledged by a destination this run (exit 5). */
export function deliveryFailed(report: DeliveryReport | undefined): boolean {
  return report !== undefined && report.summary.destinations.some((d) => d.failed > 0)
}
