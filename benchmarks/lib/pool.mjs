// Runs fn over items with at most `limit` in flight, in order of start — the same shape as the engine's
// p-limit window, without taking a dependency on p-limit here.
export async function forEachLimit(items, limit, fn) {
  let next = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await fn(items[i], i)
    }
  })
  await Promise.all(workers)
}

/** The engine's defaults that the baselines mirror. */
export const SCAN_CONCURRENCY = 8 // packages/cli/src/sources.ts: defaultConcurrency for local paths

/** DECODE_DEFAULTS.oneShotBelow (packages/engine/src/read/decompress.ts); run-all.mjs checks it still matches. */
export const ONE_SHOT_BELOW = 8 * 1024 * 1024
