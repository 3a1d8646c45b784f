import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A rule or pack as the snapshot stores it (paths relative to the rules directory). */
export interface SnapshotPack {
  id: string
  dir: string
  title?: string
  description?: string
  version?: string
}

export interface Snapshot {
  packs: SnapshotPack[]
  rules: ({ pack?: string; file: string } & Record<string, unknown>)[]
}

/**
 * The build-time JSON snapshot of the shipped packs (scripts/build-cache.mjs), when every rule file is still
 * the one it was built from (same SHA-256); otherwise undefined and the caller reads the YAML.
 */
export function readSnapshot(rulesDir: string): Snapshot | undefined {
  let data: { files: Record<string, string> } & Snapshot
  try {
    data = JSON.parse(readFileSync(fileURLToPath(new URL('../dist/packs.json', import.meta.url)), 'utf8')) as typeof data
  } catch {
    return undefined
  }
  const current = readdirSync(rulesDir, { recursive: true }) as string[]
  let count = 0
  for (const f of current) {
    const st = statSync(join(rulesDir, f))
    if (!st.isFile()) continue
    count++
    const seen = data.files[f.split('\\').join('/')]
    if (
      seen !==
      createHash('sha256')
        .update(readFileSync(join(rulesDir, f)))
        .digest('hex')
    )
      return undefined
  }
  if (count !== Object.keys(data.files).length) return undefined
  const abs = (p: string): string => join(rulesDir, p)
  return {
    packs: data.packs.map((p) => ({ ...p, dir: abs(p.dir) })),
    rules: data.rules.map((r) => ({ ...r, file: abs(r.file) })),
  }
}
