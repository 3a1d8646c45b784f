import type { CompileOptions, RuleDiagnostic, RuleSet } from '@trailscan/engine'
import { EXIT } from './exit-codes.js'
import { CliExit } from './fail.js'
import { escapeControls } from './output/terminal-text.js'

/** `--rules` values → paths: a pack id names a shipped pack; anything path-like is a rule file or directory. */
export async function resolveRuleSources(values: readonly string[] | undefined): Promise<string[]> {
  const { looksLikePath } = await import('@trailscan/engine/local-scan')
  const { shippedPackDir, shippedPackIds } = await import('@trailscan/rules')
  if (!values || values.length === 0) return shippedPackIds().map((id) => shippedPackDir(id)!)
  return values.map((v) => {
    if (looksLikePath(v)) return v
    const dir = shippedPackDir(v)
    if (!dir)
      throw new CliExit(
        EXIT.usage,
        `unknown rule pack "${v}" (shipped packs: ${shippedPackIds().join(', ')}; or give a rule file or directory)`,
      )
    return dir
  })
}

/** One line: file names, rule ids and messages quoting them come from rule files and are escaped. */
export function formatDiagnostic(d: RuleDiagnostic): string {
  const where = [d.file, d.line !== undefined ? `${d.line}:${d.column ?? 1}` : undefined].filter(Boolean).join(':')
  return escapeControls(
    `${where ? `${where}: ` : ''}${d.severity}: ${d.ruleId && !d.message.includes(d.ruleId) ? `${d.ruleId}: ` : ''}${d.message}`,
  )
}

export type CompiledSet = RuleSet

/**
 * Loads and compiles through the engine (loadRuleSet): shipped packs from the build-time snapshot while it is
 * fresh, everything else from the YAML; every problem is a diagnostic with its file, line and column.
 */
export async function loadAndCompile(paths: readonly string[], options: CompileOptions = {}): Promise<CompiledSet> {
  const { loadRuleSet } = await import('@trailscan/engine/local-scan')
  const { shippedSnapshot } = await import('@trailscan/rules')
  return loadRuleSet(paths, { ...options, snapshot: shippedSnapshot() })
}

/** For commands that run rules: any error diagnostic stops the run (exit 2) with all of them listed. */
export async function compiledRulesOrExit(values: readonly string[] | undefined, options: CompileOptions = {}): Promise<CompiledSet> {
  const set = await loadAndCompile(await resolveRuleSources(values), options)
  const errors = set.diagnostics.filter((d) => d.severity === 'error')
  if (errors.length > 0) throw new CliExit(EXIT.usage, 'rule errors:', errors.map(formatDiagnostic))
  return set
}
