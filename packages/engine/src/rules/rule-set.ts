import { resolve } from 'node:path'
import { lineColumn, TrailscanError } from '../errors.js'
import { compileRule } from '../match/compile.js'
import type { CompileOptions } from '../match/cwl-filter/index.js'
import type { CompiledRule } from '../match/matcher.js'
import type { LoadResult, PackInfo } from './load.js'
import type { RuleDiagnostic } from './schema.js'
import type { RuleSpec } from './spec.js'

/**
 * The shipped packs as the rules package's build step wrote them (`@trailscan/rules`' shippedSnapshot()): pack
 * directories, and every rule with its file. The engine reads none of the rules package itself.
 */
export interface RuleSnapshot {
  packs: readonly PackInfo[]
  rules: readonly ({ file: string } & Record<string, unknown>)[]
}

export interface RuleSetOptions extends CompileOptions {
  /** Used for every path that is one of its pack directories, so those files are not parsed again. */
  snapshot?: RuleSnapshot | undefined
}

export interface RuleSet {
  /** The rules as loaded (specs, files) and the packs they came from. */
  load: LoadResult
  /** The rules that compiled, in load order. */
  rules: CompiledRule[]
  /** Every problem met loading or compiling, each with its file, line and column where known. */
  diagnostics: RuleDiagnostic[]
}

/**
 * Loads rule packs, rule files and directories, and compiles them: the one way the CLI, the benchmarks and the
 * tests get runnable rules. Never throws for bad rules: a YAML error, a shape error or a pattern that does not
 * compile is a diagnostic naming the file, line and column (a pattern error at its place inside the pattern,
 * from the text read at load). The YAML loader (`rules/load.ts`, js-yaml) is imported only when some path is not
 * in the snapshot, so a scan with the shipped packs never loads it.
 */
export async function loadRuleSet(paths: readonly string[], opts: RuleSetOptions = {}): Promise<RuleSet> {
  const preloaded = snapshotLookup(opts.snapshot)
  // A pack named twice is loaded once, as before rule files are involved.
  const pre = [...new Set(paths.map((p) => resolve(p)))].map(preloaded)
  const load: LoadResult =
    pre.length > 0 && pre.every((x) => x !== undefined)
      ? { packs: pre.flatMap((x) => x.packs), rules: pre.flatMap((x) => x.rules), diagnostics: [] }
      : await (await import('./load.js')).loadRules(paths, { preloaded })
  const diagnostics = [...load.diagnostics]
  const rules: CompiledRule[] = []
  const compile = opts.wildcard === undefined ? {} : { wildcard: opts.wildcard }
  for (const { spec, text } of load.rules) {
    try {
      rules.push(compileRule(spec, compile))
    } catch (e) {
      diagnostics.push(await compileDiagnostic(spec, text, e))
    }
  }
  return { load, rules, diagnostics }
}

async function compileDiagnostic(spec: RuleSpec, text: string | undefined, e: unknown): Promise<RuleDiagnostic> {
  const d: RuleDiagnostic = { severity: 'error', ruleId: spec.id, message: (e as Error).message }
  if (spec.file) d.file = spec.file
  if (spec.language === 'sigma') return sigmaDiagnostic(d, text, e)
  if (text === undefined) return d
  const { patternPosition } = await import('./load.js')
  const patternAt = patternPosition(text)
  if (!patternAt) return d
  d.line = patternAt.line
  d.column = patternAt.column
  // A single-line pattern scalar: the pattern offset maps onto the same line (past the opening quote).
  const offset = e instanceof TrailscanError ? e.location?.offset : undefined
  if (offset !== undefined && typeof spec.pattern === 'string' && !spec.pattern.includes('\n')) {
    const lc = lineColumn(spec.pattern, offset)
    d.column = patternAt.column + (patternAt.quoted ? 1 : 0) + lc.column - 1
  }
  return d
}

/**
 * A Sigma rule that does not compile is skipped and counted, never a reason to stop a scan: a rules folder may
 * be a checkout of a community repository, where one rule using what Trailscan does not run must not cost the
 * rest. Placed at the construct in the file.
 */
async function sigmaDiagnostic(d: RuleDiagnostic, text: string | undefined, e: unknown): Promise<RuleDiagnostic> {
  const { SigmaError } = await import('../match/sigma/index.js')
  const cause = e instanceof SigmaError ? e : (e as Error).cause
  const sigma = cause instanceof SigmaError ? cause : undefined
  const out: RuleDiagnostic = { ...d, severity: 'warning', skipped: sigma?.unsupported ? 'unsupported' : 'invalid' }
  out.message = `${d.message} (the rule is skipped)`
  if (text !== undefined && sigma?.anchor) Object.assign(out, (await import('./sigma-rule.js')).sigmaPosition(text, sigma.anchor))
  return out
}

/** The snapshot's packs and rules for a path that is one of its pack directories; undefined for any other. */
function snapshotLookup(snap: RuleSnapshot | undefined): (path: string) => Pick<LoadResult, 'rules' | 'packs'> | undefined {
  return (path) => {
    if (!snap) return undefined
    const dir = resolve(path)
    const packs = snap.packs.filter((p) => p.dir === dir)
    if (packs.length === 0) return undefined
    return { packs, rules: snap.rules.filter((r) => r.file.startsWith(`${dir}/`)).map((r) => ({ spec: r as unknown as RuleSpec })) }
  }
}
