import { resolve } from 'node:path'
import type { StateStore } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'

/** The S3 client options a state on S3 is reached with: the same as the scan's own. */
export interface StateClientOptions {
  profile?: string | undefined
  's3-region'?: string | undefined
  'endpoint-url'?: string | undefined
}

/**
 * `--state LOCATION` → its store: `s3://bucket/prefix` is the S3 backend (conditional writes), anything else a
 * local directory. The one place the CLI picks a backend.
 */
export async function openStateStore(location: string, opts: StateClientOptions): Promise<StateStore> {
  const engine = await import('@trailscan/engine')
  if (engine.isS3Uri(location)) {
    void opts
    throw new CliExit(EXIT.usage, `--state ${location}: state on S3 is not available in this build; use a local directory`)
  }
  return new engine.LocalStateStore(resolve(location))
}
