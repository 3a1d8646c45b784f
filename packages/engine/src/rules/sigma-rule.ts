import { basename, extname } from 'node:path'
import type { SigmaAnchor } from '../match/sigma/index.js'
import { obj, str } from '../record.js'
import type { RuleDiagnostic } from './schema.js'
import type { RuleSpec, Severity } from './spec.js'

/**
 * Sigma rule files among the YAML rules: recognised by their shape (`logsource` and `detection`, which holds
 * the `condition`), turned into a RuleSpec with `language: sigma`, or skipped with a diagnostic that says why and is
 * counted (`skipped`): another logsource than `product: aws, service: cloudtrail`, a correlation or filter
 * rule (`unsupported`), or a rule that cannot be read as Sigma (`invalid`). Skipped rules never stop a scan.
 */

/** Sigma `level` → Trailscan severity. */
const LEVELS: Readonly<Record<string, Severity>> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
}

/** ATT&CK tactics as Sigma tags name them (`attack.exfiltration`) → their ids. */
const TACTICS: Readonly<Record<string, string>> = {
  reconnaissance: 'TA0043',
  resource_development: 'TA0042',
  initial_access: 'TA0001',
  execution: 'TA0002',
  persistence: 'TA0003',
  privilege_escalation: 'TA0004',
  defense_evasion: 'TA0005',
  credential_access: 'TA0006',
  discovery: 'TA0007',
  lateral_movement: 'TA0008',
  collection: 'TA0009',
  command_and_control: 'TA0011',
  exfiltration: 'TA0010',
  impact: 'TA0040',
}

const ID = /^[a-z0-9][a-z0-9.-]*$/

/** Whether a parsed YAML document is Sigma: a detection rule (`logsource`, `detection`), or a correlation or filter rule. */
export function isSigmaDocument(doc: unknown): boolean {
  const d = obj(doc)
  if (!d) return false
  if (obj(d.correlation)) return true
  if (obj(d.logsource) && obj(d.filter)) return true
  // A detection without its condition is still Sigma (skipped as invalid), not a Trailscan rule with ten schema errors.
  return obj(d.logsource) !== undefined && obj(d.detection) !== undefined
}

/** ATT&CK references from Sigma tags: `attack.t1530` → T1530, `attack.t1078.004` → T1078.004, tactics → TA ids. */
export function attackReferences(tags: unknown): string[] {
  const out: string[] = []
  for (const tag of Array.isArray(tags) ? tags : []) {
    if (typeof tag !== 'string' || !tag.toLowerCase().startsWith('attack.')) continue
    const name = tag.slice('attack.'.length).toLowerCase()
    const tactic = name.replace(/-/g, '_')
    const id = /^[tgs]\d{4}(\.\d{3})?$/.test(name) ? name.toUpperCase() : Object.hasOwn(TACTICS, tactic) ? TACTICS[tactic] : undefined
    if (id && !out.includes(id)) out.push(id)
  }
  return out
}

function ruleId(doc: Record<string, unknown>, file: string): string {
  const id = str(doc.id)?.toLowerCase()
  if (id !== undefined && ID.test(id)) return id
  const stem = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
  return `sigma-${stem || 'rule'}`
}

export type SigmaLoad = { spec: RuleSpec } | { diagnostic: RuleDiagnostic }

/** A Sigma document (isSigmaDocument) → its RuleSpec, or the diagnostic of a skipped rule, placed in `text`. */
export function sigmaRuleSpec(doc: Record<string, unknown>, file: string, pack: string, text: string): SigmaLoad {
  const id = ruleId(doc, file)
  const skip = (skipped: NonNullable<RuleDiagnostic['skipped']>, message: string, anchor?: SigmaAnchor): SigmaLoad => ({
    diagnostic: { severity: 'warning', skipped, ruleId: id, file, message, ...(anchor ? sigmaPosition(text, anchor) : {}) },
  })
  if (obj(doc.correlation))
    return skip('unsupported', 'Sigma correlation rules are not supported: the rule is skipped', { top: 'correlation' })
  if (!obj(doc.detection)) return skip('unsupported', 'Sigma filter rules are not supported: the rule is skipped', { top: 'filter' })
  const logsource = obj(doc.logsource)!
  const product = str(logsource.product)?.toLowerCase()
  const service = str(logsource.service)?.toLowerCase()
  if (product !== 'aws' || service !== 'cloudtrail') {
    const said = ['category', 'product', 'service']
      .filter((k) => logsource[k] !== undefined)
      .map((k) => `${k}: ${String(logsource[k])}`)
      .join(', ')
    return skip('logsource', `Sigma rule for logsource ${said || '(none)'}: only product: aws, service: cloudtrail is run`)
  }
  const levelName = typeof doc.level === 'string' ? doc.level.toLowerCase() : ''
  const level = doc.level === undefined ? 'medium' : Object.hasOwn(LEVELS, levelName) ? LEVELS[levelName] : undefined
  if (level === undefined)
    return skip('invalid', `level: ${JSON.stringify(doc.level)} is not a Sigma level (${Object.keys(LEVELS).join(', ')})`, { top: 'level' })
  const title = str(doc.title)?.trim() || id
  const falsePositives = (Array.isArray(doc.falsepositives) ? doc.falsepositives : []).filter((f): f is string => typeof f === 'string')
  const description = [str(doc.description)?.trim(), falsePositives.length ? `False positives: ${falsePositives.join('; ')}` : undefined]
    .filter(Boolean)
    .join('\n\n')
  const mitreAttack = attackReferences(doc.tags)
  const urls = (Array.isArray(doc.references) ? doc.references : []).filter((u): u is string => typeof u === 'string')
  const spec: RuleSpec = {
    id,
    title,
    severity: level,
    language: 'sigma',
    pattern: { logsource, detection: doc.detection as Record<string, unknown> },
    examples: { match: [], noMatch: [] },
    pack,
    file,
  }
  if (description) spec.description = description
  if (mitreAttack.length || urls.length)
    spec.references = { ...(mitreAttack.length ? { mitreAttack } : {}), ...(urls.length ? { urls } : {}) }
  return { spec }
}

/**
 * Where an anchor (match/sigma/error.ts) lies in a Sigma file's text, 1-based. The YAML readers keep no
 * positions, so it is found in the text: a detection key on the first line under `detection:` that starts with
 * it (quoted or not, or as a list item), the condition's value plus the offset into it, or a top-level key.
 */
export function sigmaPosition(text: string, anchor: SigmaAnchor): { line: number; column: number } | Record<string, never> {
  const lines = text.split(/\r?\n/)
  const top = (key: string): number => lines.findIndex((l) => l.startsWith(`${key}:`))
  if ('top' in anchor) {
    const i = top(anchor.top)
    return i < 0 ? {} : { line: i + 1, column: 1 }
  }
  const from = Math.max(top('detection'), 0)
  if ('key' in anchor) {
    for (let i = from; i < lines.length; i++) {
      const m = /^(\s*(?:-\s+)?)(['"]?)(.*)$/.exec(lines[i]!)!
      if (m[3]!.startsWith(`${anchor.key}${m[2]}:`)) return { line: i + 1, column: m[1]!.length + 1 }
    }
    return {}
  }
  const c = lines.findIndex((l, i) => i >= from && /^\s+condition:/.test(l))
  if (c < 0) return {}
  const after = lines[c]!.indexOf('condition:') + 'condition:'.length
  const rest = lines[c]!.slice(after)
  let line = c
  let col = after + rest.length - rest.trimStart().length
  let value = rest.trim()
  if (value === '' || value === '|' || value === '>') {
    // A list (one entry per line) or a block scalar: the entry's own line.
    line = c + 1 + (anchor.index ?? 0)
    const l = lines[line] ?? ''
    const m = /^(\s*(?:-\s+)?)/.exec(l)!
    col = m[1]!.length
    value = l.slice(col)
  }
  const quoted = value.startsWith("'") || value.startsWith('"')
  return { line: line + 1, column: col + (quoted ? 1 : 0) + anchor.condition + 1 }
}
