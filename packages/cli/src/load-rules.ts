import { resolve } from 'node:path'
import type { CompiledRule, LoadResult, RuleDiagnostic, RuleSpec } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'

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

export function formatDiagnostic(d: RuleDiagnostic): string {
  const where = [d.file, d.line !== undefined ? `${d.line}:${d.column ?? 1}` : undefined].filter(Boolean).join(':')
  return `${where ? `${where}: ` : ''}${d.severity}: ${d.ruleId && !d.message.includes(d.ruleId) ? `${d.ruleId}: ` : ''}${d.message}`
}

export interface CompiledSet {
  load: LoadResult
  rules: CompiledRule[]
  diagnostics: RuleDiagnostic[]
}

/** The shipped packs named by `paths`, from the build-time snapshot when it is fresh (saves YAML parsing). */
async function shippedFromSnapshot(paths: readonly string[]): Promise<LoadResult | undefined> {
  const { rulesDir, shippedSnapshot } = await import('@trailscan/rules')
  const dirs = paths.map((p) => resolve(p))
  if (dirs.length === 0 || !dirs.every((d) => d.startsWith(rulesDir) && d !== rulesDir.replace(/\/$/, ''))) return undefined
  const snap = shippedSnapshot()
  if (!snap) return undefined
  const within = (file: string): boolean => dirs.some((d) => file.startsWith(`${d}/`) || file === d)
  return {
    packs: snap.packs.filter((p) => dirs.includes(p.dir)),
    rules: snap.rules.filter((r) => within(r.file)).map((r) => ({ spec: r as unknown as RuleSpec })),
    diagnostics: [],
  }
}

/** The YAML loader comes with the full engine entry, so it is imported only when the snapshot cannot serve. */
async function fromRuleFiles(paths: readonly string[]): Promise<LoadResult> {
  const { loadRules } = await import('@trailscan/engine')
  return loadRules(paths)
}

/** Loads and compiles; pattern errors become diagnostics placed at the pattern's line and column in the file. */
export async function loadAndCompile(paths: readonly string[]): Promise<CompiledSet> {
  const { compileRule, TrailscanError, lineColumn } = await import('@trailscan/engine/core')
  const load = (await shippedFromSnapshot(paths)) ?? (await fromRuleFiles(paths))
  const diagnostics = [...load.diagnostics]
  const rules: CompiledRule[] = []
  for (const { spec } of load.rules) {
    try {
      rules.push(compileRule(spec))
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
export async function compiledRulesOrExit(values: readonly string[] | undefined): Promise<CompiledSet> {
  const set = await loadAndCompile(await resolveRuleSources(values))
  const errors = set.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new CliExit(EXIT.usage, `rule errors:\n${errors.map((d) => `  ${formatDiagnostic(d)}`).join('\n')}`)
  return set
}
