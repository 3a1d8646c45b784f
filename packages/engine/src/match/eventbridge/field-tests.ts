import { sourceOf } from './envelope.js'
import { anyOfAlternatives, rawFieldOf, type FieldTest } from '../../select/field-test.js'
import type { FieldTest as LeafTest } from './values.js'

/**
 * Field tests (select/field-test.ts) for a pattern: per sub-rule, the compiled matchers (values.ts) of each `detail.<raw
 * field>` path, and of `source` read through the record's eventSource (the envelope derives one from the
 * other, envelope.ts sourceOf). A string leaf is tested exactly as match() tests it, so IP spellings, `cidr`,
 * `prefix`, `anything-but` and the rest keep their meaning. Matchers that a missing field satisfies
 * (`exists: false`) give no test.
 */
export function patternFieldTests(subRules: readonly (readonly { path: string; test: LeafTest }[])[]): FieldTest[] {
  return anyOfAlternatives(
    subRules.map((rule) => {
      const tests: FieldTest[] = []
      for (const { path, test: compiled } of rule) {
        const field = path === 'source' ? 'eventSource' : path.startsWith('detail.') ? rawFieldOf(path.slice('detail.'.length)) : undefined
        if (field === undefined || compiled.allowsAbsent) continue
        tests.push({ field, test: path === 'source' ? (v) => compiled.test(sourceOf(v)) : (v) => compiled.test(v) })
      }
      return tests
    }),
  )
}
