import { RuleSyntaxError, lineColumn } from '../../errors.js'

/** A RuleSyntaxError pointing at `offset` in the pattern text. */
export function syntaxError(text: string, offset: number, reason: string): RuleSyntaxError {
  const { line, column } = lineColumn(text, offset)
  return new RuleSyntaxError(reason, { location: { offset, line, column } })
}
