/**
 * Sigma detection rules (the Sigma specification v2's detection, modifiers and conditions) on CloudTrail records.
 * The loader (rules/sigma-rule.ts) turns a Sigma file into a RuleSpec with `language: sigma` whose pattern holds
 * the rule's `logsource` and `detection`; this compiles that pattern.
 */
import { obj } from '../../record.js'
import { compileDetection, type SigmaDetection } from './compile.js'
import { invalid } from './error.js'

export type { SigmaDetection } from './compile.js'
export { SigmaError, type SigmaAnchor } from './error.js'

/** Compiles a `language: sigma` pattern (`{ logsource, detection }`); throws SigmaError. */
export function compileSigmaPattern(pattern: unknown): SigmaDetection {
  const detection = obj(obj(pattern)?.detection)
  if (!detection) throw invalid('a Sigma rule needs a detection mapping', { top: 'detection' })
  return compileDetection(detection)
}
