// Snapshot of the shipped packs as JSON, built after `tsc`: parsing ~260 KB of YAML (mostly rule examples)
// costs 100–250 ms at every start, JSON.parse of the same data a few. The YAML stays the source of truth:
// the snapshot records each file's SHA-256 and is ignored as soon as any rule file differs.
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadRuleSet } from '@trailscan/engine'

const root = fileURLToPath(new URL('../rules/', import.meta.url))
const out = fileURLToPath(new URL('../dist/packs.json', import.meta.url))
const packDirs = readdirSync(root, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => join(root, e.name))
const set = await loadRuleSet(packDirs)
const result = set.load
if (set.diagnostics.length > 0) {
  console.error(`rule pack snapshot not written: ${set.diagnostics.length} rule errors (run: pnpm trailscan rules check)`)
  process.exit(0)
}
const files = {}
for (const f of readdirSync(root, { recursive: true })) {
  const st = statSync(join(root, f))
  if (st.isFile())
    files[f.split('\\').join('/')] = createHash('sha256')
      .update(readFileSync(join(root, f)))
      .digest('hex')
}
const rel = (p) => relative(root, p).split('\\').join('/')
const snapshot = {
  files,
  packs: result.packs.map((p) => ({ ...p, dir: rel(p.dir) })),
  rules: result.rules.map(({ spec }) => ({ ...spec, file: rel(spec.file) })),
}
mkdirSync(fileURLToPath(new URL('../dist/', import.meta.url)), { recursive: true })
writeFileSync(out, JSON.stringify(snapshot))
