import { assertNever, RuleSpecError, RuleSyntaxError, TrailscanError } from '../errors.js'
import { compileCwlFilter, type CompileOptions } from './cwl-filter/index.js'
import { compileEventPattern } from './eventbridge/index.js'
import type { CompiledRule, MatchContext, RuleHit } from './matcher.js'
import type { RuleSpec } from '../rules/spec.js'
import { compileSigmaPattern } from './sigma/index.js'
import { compileTypedRule, raiseCheck } from './typed/index.js'

const HIT: RuleHit = Object.freeze({})
/** Sigma compares eventName and eventSource case-insensitively: its rules are keyed by field tests instead. */
const UNINDEXED = Object.freeze({ eventSource: null, eventName: null })

/** What each rule was compiled from: a worker thread compiles its own copy from this data (scan/scan-worker.ts). */
const origins = new WeakMap<CompiledRule, { spec: RuleSpec; options: CompileOptions }>()

/** The spec and options `rule` was compiled from by compileRule, or undefined for a rule built some other way. */
export function compiledFrom(rule: CompiledRule): { spec: RuleSpec; options: CompileOptions } | undefined {
  return origins.get(rule)
}

/**
 * Compiles one rule spec by its language. Throws RuleSyntaxError (pattern) or RuleSpecError (shape). `options`
 * reach the CWL compiler (`wildcard`); other languages have none.
 */
export function compileRule(spec: RuleSpec, options: CompileOptions = {}): CompiledRule {
  try {
    const rule = compileByLanguage(spec, options)
    const compiled = spec.raise ? withRaise(rule, spec.raise.check, spec.raise.severity) : rule
    origins.set(compiled, { spec, options })
    return compiled
  } catch (err) {
    if (err instanceof TrailscanError) throw withRule(err, spec)
    throw new RuleSpecError(`rule ${spec.id}: ${(err as Error).message}`, { location: { ruleId: spec.id }, cause: err })
  }
}

function compileByLanguage(spec: RuleSpec, options: CompileOptions): CompiledRule {
  const lang = spec.language
  switch (lang) {
    case 'cwl-filter': {
      if (typeof spec.pattern !== 'string') throw new RuleSpecError('a cwl-filter pattern is text')
      const f = compileCwlFilter(spec.pattern, options)
      return booleanRule(spec, f, (ctx) => f.matchRecord(ctx.record, ctx.text))
    }
    case 'eventbridge': {
      const p = compileEventPattern(spec.pattern)
      return booleanRule(spec, p, (ctx) => p.match(ctx.envelope()))
    }
    case 'typed':
      return compileTypedRule(spec)
    case 'sigma': {
      const d = compileSigmaPattern(spec.pattern)
      return booleanRule(spec, { indexKeys: UNINDEXED, literals: null, fieldTests: d.fieldTests }, (ctx) => d.match(ctx.record))
    }
    default:
      return assertNever(lang)
  }
}

/** A pattern language's yes/no matcher as a rule whose hits carry the rule's own severity. */
function booleanRule(
  spec: RuleSpec,
  keys: Pick<CompiledRule, 'indexKeys' | 'literals' | 'fieldTests'>,
  test: (ctx: MatchContext) => boolean,
): CompiledRule {
  const rule: CompiledRule = {
    id: spec.id,
    spec,
    indexKeys: keys.indexKeys,
    literals: keys.literals,
    match: (ctx) => (test(ctx) ? HIT : null),
  }
  if (keys.fieldTests?.length) rule.fieldTests = keys.fieldTests
  return rule
}

/**
 * The rule with its `raise` check run on every hit: when the check finds the dangerous form of the change, the hit
 * carries the severity to raise to (emit/severity.ts decides) and the check's details.
 */
function withRaise(rule: CompiledRule, checkName: string, severity: NonNullable<RuleSpec['raise']>['severity']): CompiledRule {
  const check = raiseCheck(checkName)
  return {
    ...rule,
    match(ctx) {
      const hit = rule.match(ctx)
      if (!hit) return null
      const res = check(ctx.record, {})
      if (!res) return hit
      return { ...hit, raise: severity, details: { ...hit.details, ...res.details } }
    },
  }
}

function withRule(err: TrailscanError, spec: RuleSpec): TrailscanError {
  const location = { ...err.location, ruleId: spec.id, ...(spec.file ? { file: spec.file } : {}) }
  const message = `rule ${spec.id}: ${err.message}`
  return err instanceof RuleSyntaxError
    ? new RuleSyntaxError(message, { location, cause: err })
    : new RuleSpecError(message, { location, cause: err })
}
