/**
 * Entry point of parsing: the first character decides the pattern family ([FPS]). Leading whitespace is not
 * trimmed: the real API rejected `' {$.ThisFlag IS TRUE} '` ([CF]), which falls out of term parsing here.
 */
import type { CwlAst } from './ast.js'
import { parseJsonPattern } from './json-pattern.js'
import { MAX_PATTERN_LENGTH } from './lexer.js'
import { compileAwsRegex } from './regex.js'
import { parseSpaceDelimited } from './space-delimited.js'
import { syntaxError } from './syntax-error.js'
import { parseTerms } from './term.js'

export function parseCwlFilter(text: string): CwlAst {
  if (text.length > MAX_PATTERN_LENGTH) {
    throw syntaxError(text, MAX_PATTERN_LENGTH, `a filter pattern can be at most ${MAX_PATTERN_LENGTH} characters long`)
  }
  const first = text[0]
  if (first === '{') {
    // The service's own message ([AWSLOGS]); trailing whitespace after '}' is therefore rejected too.
    if (text.length < 2 || !text.endsWith('}'))
      throw syntaxError(text, text.length, "If a filter pattern starts with '{' it must end with '}'")
    return { kind: 'json', text, expression: parseJsonPattern(text) }
  }
  if (first === '[') {
    if (text.length < 2 || !text.endsWith(']'))
      throw syntaxError(text, text.length, "If a filter pattern starts with '[' it must end with ']'")
    return { kind: 'space-delimited', text, slots: parseSpaceDelimited(text) }
  }
  if (first === '%') {
    if (text.length < 2 || !text.endsWith('%')) {
      throw syntaxError(text, text.length, "a regular expression pattern must end with '%'")
    }
    const source = text.slice(1, -1)
    compileAwsRegex(source, text, 1)
    return { kind: 'regex', text, regex: { kind: 'regex', source, span: { start: 0, end: text.length } } }
  }
  return { kind: 'terms', text, terms: parseTerms(text) }
}
