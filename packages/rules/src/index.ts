import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { readSnapshot as readSnapshotFrom } from './snapshot.js'

/**
 * The shipped rule packs are data: YAML files under rules/<pack-id>/, one rule per file, with a pack.yaml.
 * This package only says where they are; @trailscan/engine loads, validates and compiles them.
 */
export const rulesDir: string = fileURLToPath(new URL('../rules/', import.meta.url))

/** Ids of the shipped packs (their directory names), sorted. */
export function shippedPackIds(): string[] {
  return readdirSync(rulesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
}

/** Directory of a shipped pack, or undefined when no pack has that id. */
export function shippedPackDir(id: string): string | undefined {
  return shippedPackIds().includes(id) ? `${rulesDir}${id}` : undefined
}

export { readSnapshot } from './snapshot.js'
export type { Snapshot, SnapshotPack } from './snapshot.js'

/** The shipped packs from the build-time snapshot, or undefined when it is missing or stale. */
export function shippedSnapshot(): import('./snapshot.js').Snapshot | undefined {
  return readSnapshotFrom(rulesDir)
}
