import { resolve } from 'node:path'
import type { StateStore } from '@trailscan/engine'
import { EXIT } from '../exit-codes.js'
import { CliExit } from '../fail.js'
import { quietSdkNodeNotice } from '../aws-sdk-notice.js'
import type { CliLogger } from '../logger.js'

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
export async function openStateStore(location: string, opts: StateClientOptions, log?: CliLogger): Promise<StateStore> {
  const engine = await import('@trailscan/engine')
  if (engine.isS3Uri(location)) {
    const { bucket, prefix } = engine.parseS3Uri(location)
    if (prefix === '') throw new CliExit(EXIT.usage, `--state ${location}: name a prefix for the state (s3://${bucket}/trailscan-state/)`)
    quietSdkNodeNotice(log)
    // The scan's own client construction: profile, region, endpoint, retries and timeouts as for the trail.
    const client = engine.createS3Client({
      ...(opts.profile ? { profile: opts.profile } : {}),
      ...(opts['s3-region'] ? { region: opts['s3-region'] } : {}),
      ...(opts['endpoint-url'] ? { endpointUrl: opts['endpoint-url'] } : {}),
    })
    return new engine.S3StateStore({ client, bucket, prefix, leaseMs: leaseMs() })
  }
  return new engine.LocalStateStore(resolve(location))
}

/**
 * TRAILSCAN_STATE_LEASE_SECONDS: how long a lease on S3 outlives its run's last renewal (default 600). A run
 * killed outright leaves its lease behind until then; a job killed often may want it shorter.
 */
function leaseMs(): number | undefined {
  const raw = process.env.TRAILSCAN_STATE_LEASE_SECONDS
  if (raw === undefined || raw === '') return undefined
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new CliExit(EXIT.usage, `TRAILSCAN_STATE_LEASE_SECONDS must be a positive number of seconds, not ${JSON.stringify(raw)}`)
  return seconds * 1000
}
