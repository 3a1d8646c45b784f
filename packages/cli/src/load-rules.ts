import { resolve } from 'node:path'
import type { CompiledRule, CompileOptions, LoadResult, RuleDiagnostic, RuleSpec } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'
import { escapeControls } from './output/terminal-text.js'

/** `--rules` values → paths: a pack id names a shipped pack; anything path-like is a rule file or directory. */
export async function resolveRuleSources(values: readonly string[] | undefined): Promise<string[]> {
  const { looksLikePath } = await import('@trailscan/engine/core')
  const { shippedPackDir, shippedPackIds } = await import('@trailscan/rules')
  if (!values || values.length === 0) return shippedPackIds().map((id) => shippedPackDir(id)!)
  return values.map((v) => {
    if (looksLikePath(v)) return v
    const dir = shippedPackDir(v)
    if (!dir) throw new CliExit(EXIT.usage, `unknown rule pack "${v}" (shipped packs: ${shippedPackIds().join(', ')}; or give a rule file or directory)`)
    return dir
  })
}

/** One line: file names, rule ids and messages quoting them come from rule files and are escaped. */
export function formatDiagnostic(d: RuleDiagnostic): string {
  const where = [d.file, d.line !== undefined ? `${d.line}:${d.column ?? 1}` : undefined].filter(Boolean).join(':')
  return escapeControls(`${where ? `${where}: ` : ''}${d.severity}: ${d.ruleId && !d.message.includes(d.ruleId) ? `${d.ruleId}: ` : ''}${d.message}`)
}

export interface CompiledSet {
  load: LoadResult
  rules: CompiledRule[]
  diagnostics: RuleDiagnostic[]
}

/**
 * The build-time snapshot's rules for each path that is a shipped pack (saves YAML parsing), when the snapshot
 * is fresh; undefined for any other path.
 */
async function shippedSnapshotLookup(): Promise<(path: string) => Pick<LoadResult, 'rules' | 'packs'> | undefined> {
  const { rulesDir, shippedSnapshot } = await import('@trailscan/rules')
  const snap = shippedSnapshot()
  return (path) => {
    const dir = resolve(path)
    if (!snap || !dir.startsWith(rulesDir) || dir === rulesDir.replace(/\/$/, '')) return undefined
    const packs = snap.packs.filter((p) => p.dir === dir)
    if (packs.length === 0) return undefined
    return { packs, rules: snap.rules.filter((r) => r.file.startsWith(`${dir}/`)).map((r) => ({ spec: r as unknown as RuleSpec })) }
  }
}

/**
 * Shipped packs come from the snapshot; other paths are read as rule files, with the YAML loader of the full
 * engine entry, which is imported only then.
 */
async function loadRuleSources(paths: readonly string[]): Promise<LoadResult> {
  const preloaded = await shippedSnapshotLookup()
  // A pack named twice is loaded once, as before rule files are involved.
  const pre = [...new Set(paths.map((p) => resolve(p)))].map(preloaded)
  if (pre.length > 0 && pre.every((x) => x !== undefined))
    return { packs: pre.flatMap((x) => x.packs), rules: pre.flatMap((x) => x.rules), diagnostics: [] }
  const { loadRules } = await import('@trailscan/engine')
  return loadRules(paths, { preloaded })
}

/** Loads and compiles; pattern errors become diagnostics placed at the pattern's line and column in the file. */
export async function loadAndCompile(paths: readonly string[], options: CompileOptions = {}): Promise<CompiledSet> {
  const { compileRule, TrailscanError, lineColumn } = await import('@trailscan/engine/core')
  const load = await loadRuleSources(paths)
  const diagnostics = [...load.diagnostics]
  const rules: CompiledRule[] = []
  for (const { spec } of load.rules) {
    try {
      rules.push(compileRule(spec, options))
    } catch (e) {
      const d: RuleDiagnostic = { severity: 'error', ruleId: spec.id, message: (e as Error).message }
      if (spec.file) d.file = spec.file
      const offset = e instanceof TrailscanError ? e.location?.offset : undefined
      const { patternPosition } = await import('@trailscan/engine')
      const patternAt = spec.file ? await patternPosition(spec.file) : undefined
      if (patternAt) {
        d.line = patternAt.line
        d.column = patternAt.column
        // A single-line pattern scalar: the pattern offset maps onto the same line (past the opening quote).
        if (offset !== undefined && typeof spec.pattern === 'string' && !spec.pattern.includes('\n')) {
          const lc = lineColumn(spec.pattern, offset)
          d.column = patternAt.column + (patternAt.quoted ? 1 : 0) + lc.column - 1
        }
      }
      diagnostics.push(d)
    }
  }
  return { load, rules, diagnostics }
}

/** For commands that run rules: any error diagnostic stops the run (exit 2) with all of them listed. */
export async function compiledRulesOrExit(values: readonly string[] | undefined, options: CompileOptions = {}): Promise<CompiledSet> {
  const set = await loadAndCompile(await resolveRuleSources(values), options)
  const errors = set.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new CliExit(EXIT.usage, 'rule errors:', errors.map(formatDiagnostic))
  return set
}
