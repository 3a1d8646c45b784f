/** Pattern text → CwlFilter, and a TestMetricFilter look-alike on top of it. */
import { assertNever } from '../../errors.js'
import { DEFAULT_WILDCARD, type CompileOptions, type CwlFilter } from './filter.js'
import { JsonFilter } from './json-filter.js'
import { parseCwlFilter } from './parser.js'
import { SpaceDelimitedFilter } from './space-delimited-filter.js'
import { RegexFilter, TermFilter } from './term.js'

export function compileCwlFilter(text: string, options: CompileOptions = {}): CwlFilter {
  const mode = options.wildcard ?? DEFAULT_WILDCARD
  const ast = parseCwlFilter(text)
  switch (ast.kind) {
    case 'json':
      return new JsonFilter(text, ast.expression, mode)
    case 'terms':
      return new TermFilter(text, ast.terms)
    case 'regex':
      return new RegexFilter(text, ast.regex.source)
    case 'space-delimited':
      return new SpaceDelimitedFilter(text, ast.slots, mode)
    default:
      return assertNever(ast)
  }
}

export interface TestMetricFilterMatch {
  eventNumber: number
  eventMessage: string
  extractedValues: Record<string, string>
}

/**
 * Same output shape as `aws logs test-metric-filter`: only matching events, in input order.
 * NOTE: eventNumber is 1-based, as the CLI example prints it (messages 1 and 2 of 3 match → 1, 2); the API
 * reference's hand-written samples number from 0. AWS's 1–50 message limit is not enforced offline.
 */
export function testMetricFilter(
  pattern: string,
  messages: readonly string[],
  options: CompileOptions = {},
): { matches: TestMetricFilterMatch[] } {
  const filter = compileCwlFilter(pattern, options)
  const matches: TestMetricFilterMatch[] = []
  messages.forEach((message, i) => {
    const r = filter.testMessage(message)
    if (r.matched) matches.push({ eventNumber: i + 1, eventMessage: message, extractedValues: r.extractedValues })
  })
  return { matches }
}
