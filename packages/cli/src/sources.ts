import type { ErrorEntry, LogObject, TrailscanError } from '@trailscan/engine'
import type { Logger } from 'pino'
import type { ScanArgs } from './commands/scan-command.js'
import { describeError } from './fail.js'

export interface ProgressSink {
  objectDone(o: { uri: string; storedBytes: number; records: number }): void
  stop(): void
}

export interface OpenedSources {
  objects: AsyncIterable<LogObject>
  defaultConcurrency: number
  progress?: ProgressSink
  /** Errors met while listing, as summary entries. */
  errors(): ErrorEntry[]
}

/** Local paths and s3:// URIs → one stream of objects, in the order given. */
export async function openSources(
  args: ScanArgs,
  log: Logger,
  _window: { start: Date | undefined; end: Date | undefined },
): Promise<OpenedSources> {
  const { listLocalObjects } = await import('@trailscan/engine')
  const errors: ErrorEntry[] = []
  const onError = (e: TrailscanError): void => {
    log.error({ code: e.code, ...e.location }, describeError(e))
    const entry: ErrorEntry = { code: e.code, message: e.message }
    if (e.location?.object) entry.object = e.location.object
    errors.push(entry)
  }
  const local = args.paths.filter((p) => !p.startsWith('s3://'))
  async function* all(): AsyncGenerator<LogObject> {
    yield* listLocalObjects(local, {
      onError,
      onSkip: (path, reason) => log.debug({ path, reason }, 'not read'),
    })
  }
  return { objects: all(), defaultConcurrency: 8, errors: () => errors }
}
