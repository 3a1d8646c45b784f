import type { ListingReport, LogObject, RetryBudget, TrailscanError } from '@trailscan/engine'
import type { ListingArgs } from './commands/listing-options.js'
import { STDIN_ARG, type ScanArgs } from './commands/scan-command.js'
import { EXIT } from './exit-codes.js'
import { CliExit, describeError } from './fail.js'
import type { CliLogger } from './logger.js'
import { Progress, progressWanted } from './progress.js'
import type { S3Limits } from './s3-limits.js'

export interface ProgressSink {
  listed(size: number): void
  finding(): void
  objectDone(o: { uri: string; storedBytes: number; records: number }): void
  stop(): void
}

export interface OpenedSources {
  objects: AsyncIterable<LogObject>
  defaultConcurrency: number
  progress?: ProgressSink
  /** What listing local paths and S3 prefixes met (errors, skipped files), for scan() to report. */
  listing: ListingReport
  /** The run's S3 retry budget (S3 scans only), for scan() to report. */
  retries?: RetryBudget
}

/**
 * Local paths and s3:// URIs → one stream of objects, in the order given. The S3 source (and the AWS SDK behind
 * it) is imported only when an s3:// argument is present, so local scans never pay for loading it.
 */
export async function openSources(
  args: ListingArgs,
  log: CliLogger,
  window: { start: Date | undefined; end: Date | undefined },
  limits: S3Limits = {},
): Promise<OpenedSources> {
  const core = await import('@trailscan/engine/local-scan')
  const stdinArgs = args.paths.filter((p) => p === STDIN_ARG).length
  if (stdinArgs > 1) throw new CliExit(EXIT.usage, '`-` (one object on stdin) can be given only once')
  if (stdinArgs === 1 && process.stdin.isTTY)
    throw new CliExit(EXIT.usage, '`-` reads one object from stdin, but stdin is a terminal: pipe the object in')
  const listing = new core.ListingReport({
    onError: (e: TrailscanError) => log.error({ code: e.code, ...e.location }, describeError(e)),
    onSkip: (path, reason, detail) => log.debug({ path, reason, detail }, 'not read'),
  })
  const { onError } = listing
  const s3Args = args.paths.filter((p) => core.isS3Uri(p))
  const s3 = s3Args.length > 0 ? await import('@trailscan/engine') : undefined
  const locations = s3 ? s3Args.map((p) => s3.parseS3Uri(p)) : []
  if (locations.length > 0) quietSdkNotice(log)
  // One budget for every retry of the run: the SDK's and the object reader's resumes.
  const retryBudget = s3 && locations.length > 0 ? new s3.RetryBudget(limits.retryBudget ?? s3.DEFAULT_RETRY_BUDGET) : undefined
  const client = s3 && locations.length > 0 ? s3ClientFor(s3, args, limits, retryBudget) : undefined
  const progress = progressWanted(args.progress) ? new Progress() : undefined

  async function* one(path: string): AsyncGenerator<LogObject> {
    if (path === STDIN_ARG) {
      yield core.streamObject('-', process.stdin)
      return
    }
    if (!s3 || !core.isS3Uri(path)) {
      yield* core.listLocalObjects([path], listing)
      return
    }
    const { bucket, prefix } = s3.parseS3Uri(path)
    yield* s3.listS3Objects({
      client: client!,
      bucket,
      prefix,
      ...(args.account ? { accounts: args.account } : {}),
      ...(args.region ? { regions: args.region } : {}),
      ...(window.start ? { start: window.start } : {}),
      ...(window.end ? { end: window.end } : {}),
      includeDigest: args['include-digest'],
      includeInsight: args['include-insight'],
      requestPayer: args['request-payer'],
      onList: (req) => log.debug(req, 'list'),
      onSkip: (uri, reason) => log.debug({ uri, reason }, 'not read'),
      onError,
      ...(retryBudget ? { retryBudget } : {}),
      ...(limits.objectTimeoutMs !== undefined ? { objectTimeoutMs: limits.objectTimeoutMs } : {}),
      ...(limits.maxListPages !== undefined ? { maxListPages: limits.maxListPages } : {}),
      ...(limits.maxListKeys !== undefined ? { maxListKeys: limits.maxListKeys } : {}),
    })
  }
  async function* all(): AsyncGenerator<LogObject> {
    for (const p of args.paths) {
      for await (const o of one(p)) {
        progress?.listed(Number.isFinite(o.size) ? o.size : 0)
        yield o
      }
    }
  }
  const opened: OpenedSources = {
    objects: all(),
    // S3 objects are small and latency-bound: more in flight keeps the CPU busy.
    defaultConcurrency: locations.length > 0 ? 16 : 8,
    listing,
  }
  if (progress) opened.progress = progress
  if (retryBudget) opened.retries = retryBudget
  return opened
}

/**
 * Trailscan supports Node 20 and 22 with an SDK release that runs on both. The SDK's own multi-line notice
 * (releases after January 2027 need Node 22) would land in the middle of the logs; it becomes one log line.
 */
export function quietSdkNotice(log: CliLogger): void {
  if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) return
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  if (Number(process.versions.node.split('.')[0]) < 22)
    log.debug({ node: process.versions.node }, 'AWS SDK releases after January 2027 require Node 22; this one supports Node 20')
}

/** The run's S3 client, from the options every S3-reading command shares. */
export function s3ClientFor(
  s3: typeof import('@trailscan/engine'),
  args: Pick<ScanArgs, 'profile' | 's3-region' | 'region' | 'endpoint-url'>,
  limits: S3Limits,
  retryBudget: RetryBudget | undefined,
): ReturnType<typeof import('@trailscan/engine').createS3Client> {
  return s3.createS3Client({
    ...(retryBudget ? { retryBudget } : {}),
    ...(limits.idleMs !== undefined ? { timeouts: { idleMs: limits.idleMs } } : {}),
    ...(args.profile ? { profile: args.profile } : {}),
    ...(args['s3-region'] ? { region: args['s3-region'] } : {}),
    // With no region configured anywhere, the first --region is as good a guess as any for the client;
    // redirects then find the bucket's own region.
    ...(args.region?.[0] ? { fallbackRegion: args.region[0] } : {}),
    ...(args['endpoint-url'] ? { endpointUrl: args['endpoint-url'] } : {}),
  })
}
