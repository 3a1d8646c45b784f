import type { CliLogger } from './logger.js'

/**
 * Trailscan supports Node 20 and 22 with an SDK release that runs on both. The SDK's own multi-line notice
 * (releases after January 2027 need Node 22) would land in the middle of the logs; it becomes one log line.
 * Called before the first S3 client of a run is made (the trail's or the state's).
 */
export function quietSdkNodeNotice(log: CliLogger | undefined): void {
  if (process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED !== undefined) return
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  if (Number(process.versions.node.split('.')[0]) < 22)
    log?.debug({ node: process.versions.node }, 'AWS SDK releases after January 2027 require Node 22; this one supports Node 20')
}
