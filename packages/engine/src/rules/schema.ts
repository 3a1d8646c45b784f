import { LANGUAGES, SEVERITIES } from './spec.js'

/**
 * Hand-written schema check for rule files: the shape is small and fixed, and a precise message per field
 * ("examples.match[2] is not an object") serves rule authors better than a generic validator's output.
 */
export interface RuleDiagnostic {
  severity: 'error' | 'warning'
  message: string
  ruleId?: string
  file?: string
  /** Dotted path of the field at fault, e.g. `examples.match[0]`. */
  field?: string
  line?: number
  column?: number
  /**
   * Set on a rule that was skipped and counted rather than loaded (a warning: the scan goes on): a Sigma rule
   * for another `logsource`, one using what Trailscan does not run (`unsupported`: a correlation, an
   * aggregation, an unknown modifier), or one that is not valid Sigma (`invalid`).
   */
  skipped?: 'logsource' | 'unsupported' | 'invalid'
}

const TOP_FIELDS = new Set([
  'id',
  'title',
  'description',
  'severity',
  'language',
  'pattern',
  'references',
  'alarm',
  'guidance',
  'examples',
  'output',
  'raise',
])
const REFERENCE_FIELDS = new Set(['cis', 'nist80053', 'mitreAttack', 'urls'])
const ALARM_FIELDS = new Set(['statistic', 'threshold', 'periodSeconds', 'evaluationPeriods'])
const ID = /^[a-z0-9][a-z0-9.-]*$/
/** The languages a Trailscan rule file names; Sigma files keep their own format (rules/sigma-rule.ts). */
const OWN_LANGUAGES = LANGUAGES.filter((l) => l !== 'sigma')

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function isStringList(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((v) => typeof v === 'string')
}

/** Checks one parsed rule document. Returns every problem found; an empty list means it fits RuleSpec. */
export function checkRuleShape(doc: unknown): RuleDiagnostic[] {
  const out: RuleDiagnostic[] = []
  const err = (field: string, message: string): void => {
    out.push({ severity: 'error', field, message: `${field}: ${message}` })
  }
  if (!isObject(doc)) return [{ severity: 'error', message: 'a rule file must hold one YAML mapping' }]
  for (const k of Object.keys(doc)) if (!TOP_FIELDS.has(k)) err(k, 'unknown field')
  if (typeof doc.id !== 'string' || !ID.test(doc.id)) err('id', 'must be lower-case letters, digits, dots and dashes')
  if (typeof doc.title !== 'string' || doc.title.trim() === '') err('title', 'must be a non-empty string')
  if (doc.description !== undefined && typeof doc.description !== 'string') err('description', 'must be a string')
  if (doc.guidance !== undefined && typeof doc.guidance !== 'string') err('guidance', 'must be a string')
  if (!SEVERITIES.includes(doc.severity as never)) err('severity', `must be one of ${SEVERITIES.join(', ')}`)
  if (doc.language === 'sigma')
    err('language', "a Sigma rule is written in Sigma's own format (title, logsource, detection with a condition)")
  else if (!OWN_LANGUAGES.includes(doc.language as never)) err('language', `must be one of ${OWN_LANGUAGES.join(', ')}`)
  if (typeof doc.pattern !== 'string' && !isObject(doc.pattern)) err('pattern', 'must be a string or a mapping')
  if (doc.language === 'cwl-filter' && typeof doc.pattern !== 'string') err('pattern', 'a cwl-filter pattern is text')
  if (doc.references !== undefined) {
    const r = doc.references
    if (!isObject(r)) err('references', 'must be a mapping')
    else {
      for (const k of Object.keys(r)) if (!REFERENCE_FIELDS.has(k)) err(`references.${k}`, 'unknown field')
      if (r.cis !== undefined && (!isObject(r.cis) || !Object.values(r.cis).every((v) => typeof v === 'string')))
        err('references.cis', 'must map benchmark versions to control ids (strings)')
      for (const k of ['nist80053', 'mitreAttack', 'urls'] as const)
        if (r[k] !== undefined && !isStringList(r[k])) err(`references.${k}`, 'must be a list of strings')
    }
  }
  if (doc.alarm !== undefined) {
    const a = doc.alarm
    if (!isObject(a)) err('alarm', 'must be a mapping')
    else {
      for (const k of Object.keys(a)) if (!ALARM_FIELDS.has(k)) err(`alarm.${k}`, 'unknown field')
      if (a.statistic !== 'Sum') err('alarm.statistic', 'only Sum is supported')
      for (const k of ['threshold', 'periodSeconds', 'evaluationPeriods'] as const)
        if (typeof a[k] !== 'number' || !(a[k] > 0)) err(`alarm.${k}`, 'must be a positive number')
      if (typeof a.periodSeconds === 'number' && a.periodSeconds % 60 !== 0 && ![10, 20, 30].includes(a.periodSeconds))
        err('alarm.periodSeconds', 'CloudWatch periods are 10, 20, 30 or a multiple of 60 seconds')
    }
  }
  if (doc.output !== undefined && (!isObject(doc.output) || !Object.values(doc.output).every((v) => typeof v === 'string' && v !== '')))
    err('output', 'must map field names to dotted record paths')
  if (doc.raise !== undefined) {
    const r = doc.raise
    if (!isObject(r)) err('raise', 'must be a mapping with check and severity')
    else {
      for (const k of Object.keys(r)) if (k !== 'check' && k !== 'severity') err(`raise.${k}`, 'unknown field')
      if (typeof r.check !== 'string' || r.check === '') err('raise.check', 'must name a typed check')
      if (!SEVERITIES.includes(r.severity as never)) err('raise.severity', `must be one of ${SEVERITIES.join(', ')}`)
    }
  }
  const ex = doc.examples
  if (!isObject(ex)) err('examples', 'must be a mapping with match and noMatch lists')
  else {
    for (const k of Object.keys(ex)) if (k !== 'match' && k !== 'noMatch') err(`examples.${k}`, 'unknown field')
    for (const k of ['match', 'noMatch'] as const) {
      const list = ex[k]
      if (!Array.isArray(list) || list.length === 0) err(`examples.${k}`, 'must be a non-empty list of records')
      else list.forEach((r, i) => isObject(r) || err(`examples.${k}[${i}]`, 'must be a record (a mapping)'))
    }
  }
  const id = typeof doc.id === 'string' ? doc.id : undefined
  return id ? out.map((d) => ({ ...d, ruleId: id })) : out
}
